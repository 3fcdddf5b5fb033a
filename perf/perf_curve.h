/*
 * CURVE for the perf tools: a leading "--curve" argument turns it on,
 * and then the binding side is a CURVE server and the connecting side its
 * client, with the fixed test key pairs of zmq_curve(7) (so that both
 * libraries under comparison run the same handshake and need no key
 * generation of their own).
 */
#ifndef MODZMQ_PERF_CURVE_H
#define MODZMQ_PERF_CURVE_H

#include <stdbool.h>
#include <string.h>

#include "perf_zmq.h"

static const char perf_curve_client_public[] =
    "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
static const char perf_curve_client_secret[] =
    "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";
static const char perf_curve_server_public[] =
    "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
static const char perf_curve_server_secret[] =
    "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";

/* True, with the argument removed, when argv[1] is "--curve". */
static inline bool perf_take_curve_flag(int *argc, char ***argv)
{
    if (*argc < 2 || strcmp((*argv)[1], "--curve") != 0)
        return false;
    (*argv)[1] = (*argv)[0];
    (*argc)--;
    (*argv)++;
    return true;
}

static inline void perf_set_key(void *socket, int option, const char *key)
{
    if (zmq_setsockopt(socket, option, key, strlen(key)) != 0)
        perf_die("zmq_setsockopt(CURVE key)");
}

/* Makes the binding socket a CURVE server. */
static inline void perf_curve_server(void *socket)
{
    int one = 1;
    if (zmq_setsockopt(socket, ZMQ_CURVE_SERVER, &one, sizeof one) != 0)
        perf_die("zmq_setsockopt(CURVE_SERVER)");
    perf_set_key(socket, ZMQ_CURVE_SECRETKEY, perf_curve_server_secret);
}

/* Makes the connecting socket the server's CURVE client. */
static inline void perf_curve_client(void *socket)
{
    perf_set_key(socket, ZMQ_CURVE_SERVERKEY, perf_curve_server_public);
    perf_set_key(socket, ZMQ_CURVE_PUBLICKEY, perf_curve_client_public);
    perf_set_key(socket, ZMQ_CURVE_SECRETKEY, perf_curve_client_secret);
}

static inline const char *perf_mechanism_name(bool curve)
{
    return curve ? "curve" : "null";
}

#endif
