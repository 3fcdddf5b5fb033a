/*
 * norm plugin: NORM's API header, included from C. Debian's normApi.h
 * (NORM 1.5.9) declares two functions with C++-only syntax (a reference
 * parameter, a default argument) that no C compiler takes; this plugin
 * uses neither, so while the header is read their names stand for two
 * plain C prototypes of functions that nothing calls.
 */
#ifndef MODZMQ_NORM_C_H
#define MODZMQ_NORM_C_H

#define NormGetRxBindAddress(...) modzmq_norm_unused_rx_bind_address(void)
#define NormStreamGetVacancy(...) modzmq_norm_unused_stream_vacancy(void)
#include <normApi.h>
#undef NormGetRxBindAddress
#undef NormStreamGetVacancy

#endif
