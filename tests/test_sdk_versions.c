/*
 * CUnit tests for the SDK's compatibility promise: plugins built against
 * the frozen headers of SDK 1.0, 1.1 and 1.2 (tests/sdk-fixtures/) load into
 * today's core and carry traffic, and the table sizes the loader holds
 * for each release (core/plugin_abi.c) are those the frozen headers give.
 *
 * The plugins: the SDK's example stream transport built against 1.0
 * (scheme fixture10), 1.1 (fixture11) and 1.2 (fixture12), and a 1.1 mechanism
 * serving CURVE (fakecurve11) whose table still has 1.1's curve_keypair
 * and curve_public slots, and the SDK's own-engine example as 1.1 shipped
 * it (unixpacket).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modzmq.h"
#include "plugin_abi.h"
#include "sdk-fixtures/sizes.h"
#include "testutil.h"
#include "zmq.h"

static void expect_sizes(const struct fixture_sizes *frozen)
{
    unsigned minor = frozen->minor;
    CU_ASSERT_EQUAL(mz_abi_table_size(MZ_ABI_DESCRIPTOR, minor),
                    frozen->descriptor);
    CU_ASSERT_EQUAL(mz_abi_table_size(MZ_ABI_SERVICES, minor),
                    frozen->services);
    CU_ASSERT_EQUAL(mz_abi_table_size(MZ_ABI_TRANSPORT, minor),
                    frozen->transport);
    CU_ASSERT_EQUAL(mz_abi_table_size(MZ_ABI_MECHANISM, minor),
                    frozen->mechanism);
    CU_ASSERT_EQUAL(mz_abi_table_size(MZ_ABI_OBSERVER, minor),
                    frozen->observer);
    CU_ASSERT_EQUAL(mz_abi_table_size(MZ_ABI_ENGINE_TRANSPORT, minor),
                    frozen->engine_transport);
}

/* Every table of 1.0, 1.1 and 1.2 is the size the loader holds for it, and the
 * smallest table the loader accepts is that of the oldest release. */
static void test_frozen_sizes(void)
{
    CU_ASSERT_EQUAL(fixture_sizes_1_0.minor, 0);
    CU_ASSERT_EQUAL(fixture_sizes_1_1.minor, 1);
    CU_ASSERT_EQUAL(fixture_sizes_1_2.minor, 2);
    expect_sizes(&fixture_sizes_1_0);
    expect_sizes(&fixture_sizes_1_1);
    expect_sizes(&fixture_sizes_1_2);
    CU_ASSERT_EQUAL(mz_abi_oldest_size(MZ_ABI_TRANSPORT),
                    fixture_sizes_1_0.transport);
    CU_ASSERT_EQUAL(mz_abi_oldest_size(MZ_ABI_MECHANISM),
                    fixture_sizes_1_1.mechanism);
    CU_ASSERT_EQUAL(mz_abi_oldest_size(MZ_ABI_OBSERVER),
                    fixture_sizes_1_1.observer);
    CU_ASSERT_EQUAL(mz_abi_oldest_size(MZ_ABI_ENGINE_TRANSPORT),
                    fixture_sizes_1_1.engine_transport);
    CU_ASSERT_EQUAL(mz_abi_table_since(MZ_ABI_TRANSPORT), 0);
    CU_ASSERT_EQUAL(mz_abi_table_since(MZ_ABI_MECHANISM), 1);
    CU_ASSERT_EQUAL(mz_abi_table_since(MZ_ABI_CURVE_KEYS), 2);
    /* Today's tables only grew. */
    CU_ASSERT(mz_abi_table_size(MZ_ABI_TRANSPORT, MODZMQ_SDK_ABI_MINOR) >
              fixture_sizes_1_1.transport);
    CU_ASSERT(mz_abi_table_size(MZ_ABI_DESCRIPTOR, MODZMQ_SDK_ABI_MINOR) >
              fixture_sizes_1_1.descriptor);
}

/* The installed pkg-config file says the ABI the headers declare. */
static void test_pkg_config_abi(void)
{
    FILE *pc = fopen(SDK_PC_FILE, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(pc);
    char line[256], expected[32];
    snprintf(expected, sizeof expected, "abi=%d.%d\n", MODZMQ_SDK_ABI_MAJOR,
             MODZMQ_SDK_ABI_MINOR);
    bool found = false;
    while (fgets(line, sizeof line, pc) != NULL)
        found = found || strcmp(line, expected) == 0;
    fclose(pc);
    CU_ASSERT_TRUE(found);
}

/* The listed plugin of that name, or false. */
static bool find_listed(const char *name, struct modzmq_plugin_info *found)
{
    struct modzmq_plugin_info list[8];
    size_t count = modzmq_plugins(list, 8);
    for (size_t i = 0; i < count && i < 8; i++) {
        if (strcmp(list[i].name, name) == 0) {
            *found = list[i];
            return true;
        }
    }
    return false;
}

/* A message each way between two PAIRs over scheme, bound to a name the
 * transport picks; secure sets CURVE's options first. */
static void carry_traffic(const char *scheme, bool secure)
{
    void *ctx = zmq_ctx_new();
    void *server = zmq_socket(ctx, ZMQ_PAIR);
    void *client = zmq_socket(ctx, ZMQ_PAIR);
    if (secure) {
        char public_key[41], secret_key[41];
        CU_ASSERT_EQUAL_FATAL(zmq_curve_keypair(public_key, secret_key), 0);
        CU_ASSERT_TRUE(test_set_int(server, ZMQ_CURVE_SERVER, 1));
        CU_ASSERT_EQUAL(
            zmq_setsockopt(server, ZMQ_CURVE_SECRETKEY, secret_key, 40), 0);
        CU_ASSERT_EQUAL(
            zmq_setsockopt(client, ZMQ_CURVE_SERVERKEY, public_key, 40), 0);
        CU_ASSERT_EQUAL(
            zmq_setsockopt(client, ZMQ_CURVE_PUBLICKEY, public_key, 40), 0);
        CU_ASSERT_EQUAL(
            zmq_setsockopt(client, ZMQ_CURVE_SECRETKEY, secret_key, 40), 0);
    }
    char bind[64], endpoint[128];
    snprintf(bind, sizeof bind, "%s://*", scheme);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(server, bind), 0);
    size_t size = sizeof endpoint;
    CU_ASSERT_EQUAL_FATAL(
        zmq_getsockopt(server, ZMQ_LAST_ENDPOINT, endpoint, &size), 0);
    CU_ASSERT_EQUAL(strncmp(endpoint, scheme, strlen(scheme)), 0);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(client, endpoint), 0);
    CU_ASSERT_TRUE(test_send(client, "from an older plugin", 0));
    CU_ASSERT_TRUE(test_recv_is(server, "from an older plugin", 5000));
    CU_ASSERT_TRUE(test_send(server, "and back", 0));
    CU_ASSERT_TRUE(test_recv_is(client, "and back", 5000));
    test_close(client);
    test_close(server);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void expect_listed(const char *name, int kind, unsigned minor)
{
    struct modzmq_plugin_info info;
    CU_ASSERT_FATAL(find_listed(name, &info));
    CU_ASSERT_EQUAL(info.kind, kind);
    CU_ASSERT_EQUAL(info.abi_major, 1);
    CU_ASSERT_EQUAL(info.abi_minor, minor);
}

/* The example transport as SDK 1.0 built it: a table without
 * connect_handshake, a descriptor without extensions. */
static void test_transport_1_0(void)
{
    carry_traffic("fixture10", false);
    expect_listed("fixture10", MODZMQ_PLUGIN_TRANSPORT, 0);
}

static void test_transport_1_1(void)
{
    carry_traffic("fixture11", false);
    expect_listed("fixture11", MODZMQ_PLUGIN_TRANSPORT, 1);
}

/* Built against 1.2, whose services table ends before counters_request. */
static void test_transport_1_2(void)
{
    carry_traffic("fixture12", false);
    expect_listed("fixture12", MODZMQ_PLUGIN_TRANSPORT, 2);
}

/* A 1.1 mechanism: its handshake runs, traffic passes, and its reserved
 * slots still serve zmq_curve_keypair and zmq_curve_public. */
static void test_mechanism_1_1(void)
{
    CU_ASSERT_EQUAL(zmq_has("curve"), 1);
    char public_key[41], secret_key[41], derived[41];
    CU_ASSERT_EQUAL_FATAL(zmq_curve_keypair(public_key, secret_key), 0);
    CU_ASSERT_STRING_EQUAL(public_key,
                           "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID");
    CU_ASSERT_EQUAL(zmq_curve_public(derived, secret_key), 0);
    CU_ASSERT_STRING_EQUAL(derived, public_key);
    errno = 0;
    CU_ASSERT_EQUAL(
        zmq_curve_public(derived, "0000000000000000000000000000000000000000"),
        -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    expect_listed("fakecurve11", MODZMQ_PLUGIN_MECHANISM, 1);
    carry_traffic("fixture10", true);
    carry_traffic("fixture11", true);
}

/* The own-engine example of 1.1: a two-part message each way over a
 * socket file in a scratch directory. */
static void test_engine_transport_1_1(void)
{
    char dir[] = "/tmp/modzmq-sdk-versions-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char endpoint[128];
    snprintf(endpoint, sizeof endpoint, "unixpacket://%s/socket", dir);
    void *ctx = zmq_ctx_new();
    void *server = zmq_socket(ctx, ZMQ_PAIR);
    void *client = zmq_socket(ctx, ZMQ_PAIR);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(server, endpoint), 0);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(client, endpoint), 0);
    CU_ASSERT_TRUE(test_send(client, "first part", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(client, "last part", 0));
    CU_ASSERT_TRUE(test_recv_is(server, "first part", 5000));
    CU_ASSERT_EQUAL(test_get_int(server, ZMQ_RCVMORE), 1);
    CU_ASSERT_TRUE(test_recv_is(server, "last part", 5000));
    CU_ASSERT_TRUE(test_send(server, "and back", 0));
    CU_ASSERT_TRUE(test_recv_is(client, "and back", 5000));
    test_close(client);
    test_close(server);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
    expect_listed("unixpacket", MODZMQ_PLUGIN_ENGINE_TRANSPORT, 1);
    char path[160];
    snprintf(path, sizeof path, "%s/socket", dir);
    unlink(path);
    CU_ASSERT_EQUAL(rmdir(dir), 0);
}

int main(void)
{
    setenv("MODZMQ_PLUGIN_PATH", FIXTURE_PLUGIN_DIR, 1);
    static const struct test_case tests[] = {
        { "frozen table sizes", test_frozen_sizes },
        { "pkg-config abi", test_pkg_config_abi },
        { "1.0 stream transport", test_transport_1_0 },
        { "1.1 stream transport", test_transport_1_1 },
        { "1.2 stream transport", test_transport_1_2 },
        { "1.1 mechanism", test_mechanism_1_1 },
        { "1.1 own-engine transport", test_engine_transport_1_1 },
    };
    return test_run_suite("sdk_versions", tests,
                          sizeof tests / sizeof tests[0]);
}
