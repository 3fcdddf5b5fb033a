/*
 * Fuzz target: the pgm plugin's framing (plugins/pgm/pgm_framing.c), the
 * code that reads the payloads anyone on a multicast group may send.
 * Each payload is copied into a buffer of exactly its size, so that one
 * octet read too many is a sanitizer finding.
 *
 * Input: a byte choosing what to do with the rest.
 *   even  decode: a part size limit (16 bits, 0xFFFF for none), then
 *         payloads as chunks, each after a byte whose low bits say to
 *         leave a gap in the sequence numbers before it (1), to report a
 *         loss before it (2), or both; every message handed out must add
 *         up (its parts' sizes sum to its size) and respect the limit
 *   odd   round trip: a payload size (16 bits), how many payloads a late
 *         joiner misses (a byte), which of the sink's calls refuse (a
 *         byte, a bit per call, round and round), then parts as chunks,
 *         each after a byte whose low bit says more parts follow;
 *         everything encoded must decode to the same messages, and the
 *         late joiner must get the last messages of them, whole, and
 *         nothing else; a decoder with a sink (pgm_decoder_set_sink)
 *         must hand out the same messages in the same order, part
 *         through the sink and part queued
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pgm_framing.h"

enum { PARTS_MAX = 64 };

static void check_message(const struct assembled_message *m, int64_t part_max)
{
    size_t sum = 0;
    fuzz_check(m->part_count >= 1, "a message of no part");
    for (size_t i = 0; i < m->part_count; i++) {
        fuzz_check(part_max < 0 || m->part_sizes[i] <= (uint64_t) part_max,
                   "a part over the limit handed out");
        sum += m->part_sizes[i];
    }
    fuzz_check(sum == m->size, "a message whose parts do not add up");
}

static void decode(struct fuzz_input *in)
{
    uint16_t limit = fuzz_u16(in);
    int64_t part_max = limit == 0xFFFF ? -1 : limit;
    struct pgm_decoder d;
    pgm_decoder_init(&d, part_max);
    uint32_t sequence = 0;
    while (!fuzz_input_done(in)) {
        uint8_t how = fuzz_byte(in);
        size_t size;
        const uint8_t *chunk = fuzz_chunk(in, &size);
        if (how & 1)
            sequence += 2;
        if (how & 2)
            pgm_decoder_reset(&d);
        pgm_decoder_sequence(&d, sequence, sequence);
        sequence++;
        uint8_t *payload = malloc(size > 0 ? size : 1);
        fuzz_check(payload != NULL, "memory");
        if (size > 0)
            memcpy(payload, chunk, size);
        enum pgm_decode_status status = pgm_decoder_feed(&d, payload, size);
        fuzz_check(pgm_decode_status_name(status)[0] != '?',
                   "a status unnamed");
        free(payload);
        struct assembled_message *m;
        while ((m = pgm_decoder_peek(&d)) != NULL) {
            check_message(m, part_max);
            pgm_decoder_pop(&d);
        }
    }
    pgm_decoder_fini(&d);
}

struct part {
    const uint8_t *data;
    size_t size;
    bool more;
};

/* Whether m is the message of parts first .. (its last part). */
static bool is_message(const struct assembled_message *m, const struct part *parts,
                       size_t first, size_t count)
{
    size_t n = 0;
    while (first + n < count && (n == 0 || parts[first + n - 1].more))
        n++;
    if (m->part_count != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        const struct part *p = &parts[first + i];
        if (m->part_sizes[i] != p->size ||
            (p->size > 0 && memcmp(assembled_part(m, i), p->data, p->size)))
            return false;
    }
    return true;
}

/* The decoder with a sink, as the plugin runs it: the sink checks each
 * message it is given against the one expected next, and refuses as the
 * input says (the message is then queued instead); its flush takes what
 * is queued, refusing likewise. */
struct sink_check {
    const struct part *parts;
    size_t count;
    const size_t *starts;
    size_t messages;
    size_t next; /* the message expected next */
    uint8_t refusals;
    unsigned calls;
    struct pgm_decoder *decoder;
};

static bool refused(struct sink_check *c)
{
    return (c->refusals >> (c->calls++ % 8)) & 1;
}

static bool sink_take(void *arg, const uint8_t *body, size_t size)
{
    struct sink_check *c = arg;
    if (refused(c))
        return false;
    fuzz_check(c->next < c->messages, "the sink was given more than was sent");
    const struct part *p = &c->parts[c->starts[c->next]];
    fuzz_check(!p->more && p->size == size &&
                   (size == 0 || memcmp(p->data, body, size) == 0),
               "the sink was given another message than the next");
    c->next++;
    return true;
}

/* Takes what the sinking decoder queued, each the message expected
 * next; a flush may refuse, the drain after each payload may not (as
 * the socket's pipe empties in the end). */
static void drain_queued(struct sink_check *c, bool may_refuse)
{
    struct assembled_message *m;
    while ((m = pgm_decoder_peek(c->decoder)) != NULL) {
        if (may_refuse && refused(c))
            return;
        fuzz_check(c->next < c->messages &&
                       is_message(m, c->parts, c->starts[c->next], c->count),
                   "a queued message out of its turn");
        c->next++;
        pgm_decoder_pop(c->decoder);
    }
}

static void sink_flush(void *arg)
{
    drain_queued(arg, true);
}

static void round_trip(struct fuzz_input *in)
{
    size_t payload_max = fuzz_u16(in);
    size_t missed = fuzz_byte(in);
    uint8_t refusals = fuzz_byte(in);
    struct part parts[PARTS_MAX];
    size_t count = 0;
    while (count < PARTS_MAX && !fuzz_input_done(in)) {
        parts[count].more = fuzz_byte(in) & 1;
        parts[count].data = fuzz_chunk(in, &parts[count].size);
        count++;
    }
    if (count > 0)
        parts[count - 1].more = false; /* the last message ends */
    struct pgm_encoder e;
    pgm_encoder_init(&e, payload_max);
    for (size_t i = 0; i < count; i++)
        fuzz_check(pgm_encoder_add(&e, parts[i].data, parts[i].size,
                                   parts[i].more) == 0,
                   "memory");
    pgm_encoder_flush(&e);
    size_t messages = 0, starts[PARTS_MAX];
    for (size_t i = 0; i < count; i++)
        if (i == 0 || !parts[i - 1].more)
            starts[messages++] = i;
    struct pgm_decoder whole, late, sinking;
    pgm_decoder_init(&whole, -1);
    pgm_decoder_init(&late, -1);
    pgm_decoder_init(&sinking, -1);
    struct sink_check check = { .parts = parts,
                                .count = count,
                                .starts = starts,
                                .messages = messages,
                                .refusals = refusals,
                                .decoder = &sinking };
    pgm_decoder_set_sink(&sinking, sink_take, sink_flush, &check);
    size_t index = 0;
    const struct pgm_payload *p;
    while ((p = pgm_encoder_peek(&e)) != NULL) {
        fuzz_check(p->size <= e.payload_max && p->size > PGM_OFFSET_SIZE,
                   "a payload over its size, or empty");
        uint8_t *payload = malloc(p->size);
        fuzz_check(payload != NULL, "memory");
        memcpy(payload, p->bytes, p->size);
        fuzz_check(pgm_decoder_feed(&whole, payload, p->size) == PGM_DECODE_OK,
                   "an encoded payload refused");
        if (index++ >= missed)
            pgm_decoder_feed(&late, payload, p->size);
        fuzz_check(pgm_decoder_feed(&sinking, payload, p->size) ==
                       PGM_DECODE_OK,
                   "an encoded payload refused with a sink");
        drain_queued(&check, false);
        free(payload);
        pgm_encoder_pop(&e);
    }
    fuzz_check(check.next == messages && sinking.dropped == 0,
               "a message lost with a sink");
    /* Whole: every message, in order. Late: a suffix of them. */
    for (size_t k = 0; k < messages; k++) {
        struct assembled_message *m = pgm_decoder_peek(&whole);
        fuzz_check(m != NULL && is_message(m, parts, starts[k], count),
                   "a message that did not come back");
        pgm_decoder_pop(&whole);
    }
    fuzz_check(pgm_decoder_peek(&whole) == NULL && whole.dropped == 0,
               "more came back than was sent");
    size_t got = 0;
    for (const struct assembled_message *m = pgm_decoder_peek(&late); m != NULL;
         m = m->next)
        got++;
    fuzz_check(got <= messages && late.dropped == 0,
               "a late joiner got more than was sent");
    for (size_t k = messages - got; k < messages; k++) {
        struct assembled_message *m = pgm_decoder_peek(&late);
        fuzz_check(is_message(m, parts, starts[k], count),
                   "a late joiner's message not whole");
        pgm_decoder_pop(&late);
    }
    pgm_encoder_fini(&e);
    pgm_decoder_fini(&whole);
    pgm_decoder_fini(&late);
    pgm_decoder_fini(&sinking);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in;
    fuzz_input_init(&in, data, size);
    if (fuzz_byte(&in) % 2 == 0)
        decode(&in);
    else
        round_trip(&in);
    return 0;
}
