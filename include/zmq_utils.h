/*
 * zmq_utils.h - deprecated compatibility header of modzmq.
 *
 * The helpers this header once declared (stopwatch, sleep, threads) are
 * declared by zmq.h, which is included here for old code that includes only
 * this file.  New code should include zmq.h alone.
 *
 * Including it prints a reminder with "#pragma message" (a note, not a
 * warning, under GCC, so -Werror builds keep working).
 */

#ifndef __ZMQ_UTILS_H_INCLUDED__
#define __ZMQ_UTILS_H_INCLUDED__

#if defined __GNUC__ || defined __clang__ || defined _MSC_VER
#pragma message("zmq_utils.h is deprecated: include zmq.h instead")
#endif

#include "zmq.h"

#endif /* __ZMQ_UTILS_H_INCLUDED__ */
