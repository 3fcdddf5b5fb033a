/*
 * norm plugin: NORM's API header, included from C. Debian's normApi.h
 * (NORM 1.5.9) declares two functions with C++-only syntax (a reference
 * parameter, a default argument) that no C compiler takes. While the
 * header is read their names stand for two plain C prototypes of
 * functions nothing calls; NormStreamGetVacancy, which this plugin does
 * call, is declared again after it, as C, without the default argument
 * (the library exports it with C linkage).
 */
#ifndef MODZMQ_NORM_C_H
#define MODZMQ_NORM_C_H

#define NormGetRxBindAddress(...) modzmq_norm_unused_rx_bind_address(void)
#define NormStreamGetVacancy(...) modzmq_norm_unused_stream_vacancy(void)
#include <normApi.h>
#undef NormGetRxBindAddress
#undef NormStreamGetVacancy

/* How many bytes the stream would take now (stopping once it has counted
 * bytes_wanted, when that is not 0), without writing or waking NORM's
 * sender as a failed NormStreamWrite does. */
unsigned int NormStreamGetVacancy(NormObjectHandle stream,
                                  unsigned int bytes_wanted);

#endif
