/*
 * The fuzz targets of tests/fuzz: what every target defines, and the
 * reader they share for taking their input apart.
 *
 * Each target is one file defining LLVMFuzzerTestOneInput. Built with
 * clang and libFuzzer (tools/fuzz.sh) it is a fuzzer; built normally, the
 * same file is linked with replay.c, whose main feeds it every file of its
 * committed corpus (tests/fuzz/corpus/<target>/), so that make check runs
 * the corpus on every build. A target reports a finding by crashing: a
 * sanitizer error, a leak at exit, or fuzz_check failing.
 */
#ifndef MODZMQ_FUZZ_H
#define MODZMQ_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Optional, once before the first input (libFuzzer's hook, called by the
 * replay driver too). A target that needs none defines none. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A target's input, read front to back. Reading past the end gives zeros
 * and empty chunks, so every input is a complete script. */
struct fuzz_input {
    const uint8_t *data;
    size_t left;
};

void fuzz_input_init(struct fuzz_input *in, const uint8_t *data, size_t size);
bool fuzz_input_done(const struct fuzz_input *in);
uint8_t fuzz_byte(struct fuzz_input *in);
uint16_t fuzz_u16(struct fuzz_input *in);
/* A chunk: a 16-bit big-endian length, then that many bytes (fewer when
 * the input ends first). *size gets its length. */
const uint8_t *fuzz_chunk(struct fuzz_input *in, size_t *size);
/* Everything not read yet. */
const uint8_t *fuzz_rest(struct fuzz_input *in, size_t *size);

/* Waits up to timeout_ms for a zmq socket or an fd to be readable, over
 * signals: libFuzzer's timeout alarm interrupts the target's waits every
 * second (waits.c). */
bool fuzz_zmq_readable(void *socket, int timeout_ms);
bool fuzz_fd_readable(int fd, int timeout_ms);

/* A socket type that speaks ZMTP: index modulo 19 into PAIR, PUB, SUB,
 * REQ, REP, DEALER, ROUTER, PULL, PUSH, XPUB, XSUB, RADIO, DISH, CLIENT,
 * SERVER, SCATTER, GATHER, PEER, CHANNEL (socket_types.c). */
int fuzz_socket_type(uint8_t index);
/* A socket type that may talk to type. */
int fuzz_peer_type(int type);

/* A finding that no sanitizer would see (a broken invariant): names it
 * on stderr and aborts, which libFuzzer reports as a crash. */
void fuzz_check(bool ok, const char *what);

/* With FUZZ_TRACE set in the environment, one line on stderr saying how
 * an input ran (for checking that a seed reaches what it should). */
void fuzz_trace(const char *format, ...)
    __attribute__((format(printf, 1, 2)));

#endif
