/* CUnit tests for zmq_z85_encode and zmq_z85_decode: the RFC 32 test
 * vector, the CURVE key example of the manual, round trips of pseudo-random
 * data, and every way a call can be refused (EINVAL). */
#include "testutil.h"
#include "zmq.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t rfc_bytes[8] = { 0x86, 0x4F, 0xD2, 0x6F,
                                      0xB5, 0x59, 0xF7, 0x5B };

static void test_rfc_vector_encode(void)
{
    char text[11];
    memset(text, 'x', sizeof text);
    CU_ASSERT_PTR_EQUAL(zmq_z85_encode(text, rfc_bytes, 8), text);
    CU_ASSERT_STRING_EQUAL(text, "HelloWorld");
}

static void test_rfc_vector_decode(void)
{
    uint8_t bytes[8];
    CU_ASSERT_PTR_EQUAL(zmq_z85_decode(bytes, "HelloWorld"), bytes);
    CU_ASSERT_EQUAL(memcmp(bytes, rfc_bytes, 8), 0);
}

/* The key in zmq_z85_decode's manual page decodes to 32 bytes and encodes
 * back to the same 40 characters. */
static void test_curve_key(void)
{
    const char *key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
    uint8_t bytes[32];
    char text[41];
    CU_ASSERT_PTR_EQUAL(zmq_z85_decode(bytes, key), bytes);
    CU_ASSERT_PTR_EQUAL(zmq_z85_encode(text, bytes, 32), text);
    CU_ASSERT_STRING_EQUAL(text, key);
}

/* Zero bytes encode to the empty string, but like libzmq, decoding refuses
 * the empty string. */
static void test_empty(void)
{
    char text[1] = { 'x' };
    uint8_t byte = 0xAA;
    CU_ASSERT_PTR_EQUAL(zmq_z85_encode(text, &byte, 0), text);
    CU_ASSERT_EQUAL(text[0], '\0');
    errno = 0;
    CU_ASSERT_PTR_NULL(zmq_z85_decode(&byte, ""));
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_EQUAL(byte, 0xAA);
}

/* Boundary groups: all zero bits map to '0' digits, all one bits to the
 * largest valid group. */
static void test_extremes(void)
{
    const uint8_t zeros[4] = { 0, 0, 0, 0 };
    const uint8_t ones[4] = { 0xFF, 0xFF, 0xFF, 0xFF };
    char text[6];
    uint8_t back[4];
    CU_ASSERT_PTR_NOT_NULL(zmq_z85_encode(text, zeros, 4));
    CU_ASSERT_STRING_EQUAL(text, "00000");
    CU_ASSERT_PTR_NOT_NULL(zmq_z85_encode(text, ones, 4));
    CU_ASSERT_EQUAL(strlen(text), 5);
    CU_ASSERT_PTR_EQUAL(zmq_z85_decode(back, text), back);
    CU_ASSERT_EQUAL(memcmp(back, ones, 4), 0);
}

/* Round trips of pseudo-random blocks of every multiple of 4 from 4 up to
 * 256 bytes, several blocks per size; the encoded text must be exactly
 * 5/4 the size and decode to the original. */
static void test_round_trip_random(void)
{
    srand(12345);
    for (size_t size = 4; size <= 256; size += 4) {
        for (int round = 0; round < 8; round++) {
            uint8_t data[256], back[256];
            char text[321];
            for (size_t i = 0; i < size; i++)
                data[i] = (uint8_t) (rand() & 0xFF);
            CU_ASSERT_PTR_EQUAL(zmq_z85_encode(text, data, size), text);
            CU_ASSERT_EQUAL(strlen(text), size / 4 * 5);
            CU_ASSERT_PTR_EQUAL(zmq_z85_decode(back, text), back);
            CU_ASSERT_EQUAL(memcmp(back, data, size), 0);
        }
    }
}

/* Each of the 85 digits, placed last in a group after four zero digits,
 * decodes to its own value, and that value encodes back to the digit. */
static void test_every_digit(void)
{
    const char *digits = "0123456789abcdefghijklmnopqrstuvwxyz"
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
    CU_ASSERT_EQUAL_FATAL(strlen(digits), 85);
    for (int value = 0; value < 85; value++) {
        char group[6] = { '0', '0', '0', '0', digits[value], '\0' };
        uint8_t bytes[4];
        char text[6];
        CU_ASSERT_PTR_EQUAL(zmq_z85_decode(bytes, group), bytes);
        CU_ASSERT(bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 0 &&
                  bytes[3] == value);
        CU_ASSERT_PTR_NOT_NULL(zmq_z85_encode(text, bytes, 4));
        CU_ASSERT_STRING_EQUAL(text, group);
    }
}

static void test_encode_bad_size(void)
{
    const uint8_t data[8] = { 0 };
    char text[16];
    const size_t bad[] = { 1, 2, 3, 5, 6, 7 };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 0;
        CU_ASSERT_PTR_NULL(zmq_z85_encode(text, data, bad[i]));
        CU_ASSERT_EQUAL(errno, EINVAL);
    }
}

static void test_decode_bad_length(void)
{
    const char *bad[] = { "H", "Hell", "HelloW", "HelloWorl", "HelloWorld1" };
    uint8_t bytes[16];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 0;
        CU_ASSERT_PTR_NULL(zmq_z85_decode(bytes, bad[i]));
        CU_ASSERT_EQUAL(errno, EINVAL);
    }
}

/* Every printable ASCII character outside the alphabet, plus control and
 * non-ASCII bytes, is refused wherever it appears in the string. */
static void test_decode_bad_characters(void)
{
    const char invalid[] = " \"',;\\_`|~\t\n\x7f\x80\xff";
    uint8_t bytes[8];
    for (size_t i = 0; i < sizeof invalid - 1; i++) {
        for (size_t pos = 0; pos < 10; pos++) {
            char text[11] = "HelloWorld";
            text[pos] = invalid[i];
            errno = 0;
            CU_ASSERT_PTR_NULL(zmq_z85_decode(bytes, text));
            CU_ASSERT_EQUAL(errno, EINVAL);
        }
    }
}

/* Five digits can express up to 85^5 - 1, more than 32 bits hold: the
 * group just above 0xFFFFFFFF and the largest group must be refused. */
static void test_decode_overflow(void)
{
    const uint8_t ones[4] = { 0xFF, 0xFF, 0xFF, 0xFF };
    char text[11];
    uint8_t bytes[8];
    CU_ASSERT_PTR_NOT_NULL_FATAL(zmq_z85_encode(text, ones, 4));
    /* 0xFFFFFFFF is "%nSc0"; its last digit can go one higher. */
    CU_ASSERT_STRING_EQUAL_FATAL(text, "%nSc0");
    text[4] = '1';
    errno = 0;
    CU_ASSERT_PTR_NULL(zmq_z85_decode(bytes, text));
    CU_ASSERT_EQUAL(errno, EINVAL);
    errno = 0;
    CU_ASSERT_PTR_NULL(zmq_z85_decode(bytes, "#####"));
    CU_ASSERT_EQUAL(errno, EINVAL);
    errno = 0;
    /* '$' is digit 83, and 83 * 85^4 alone exceeds 2^32 - 1. */
    CU_ASSERT_PTR_NULL(zmq_z85_decode(bytes, "Hello$0000"));
    CU_ASSERT_EQUAL(errno, EINVAL);
}

int main(void)
{
    static const struct test_case tests[] = {
        { "RFC 32 vector encodes to HelloWorld", test_rfc_vector_encode },
        { "HelloWorld decodes to the RFC 32 vector", test_rfc_vector_decode },
        { "CURVE key from the manual round-trips", test_curve_key },
        { "empty input", test_empty },
        { "all-zero and all-one groups", test_extremes },
        { "random round trips", test_round_trip_random },
        { "every digit value", test_every_digit },
        { "encode refuses sizes not divisible by 4", test_encode_bad_size },
        { "decode refuses lengths not divisible by 5", test_decode_bad_length },
        { "decode refuses characters outside the alphabet",
          test_decode_bad_characters },
        { "decode refuses groups above 32 bits", test_decode_overflow },
    };
    return test_run_suite("z85", tests, sizeof tests / sizeof tests[0]);
}
