/*
 * A ZAP handler (RFC 27) for the security suites, run by a thread of the
 * test in the context under test. Every wait is bounded.
 */
#ifndef ZAP_HANDLER_H
#define ZAP_HANDLER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

enum zap_mode {
    ZAP_CHECK_PASSWORD, /* 200 for username/password (and for NULL), with
                           User-Id the username and "Hello"="World"
                           metadata; 400 otherwise */
    ZAP_STATUS,         /* always the status code in .status */
    ZAP_BAD_VERSION,    /* malformed replies, one fault each */
    ZAP_BAD_REQUEST_ID,
    ZAP_BAD_STATUS,
    ZAP_SHORT_REPLY,
    ZAP_CLOSE, /* read the request, close the socket without a reply */
    ZAP_HOLD   /* read the request, reply 200 after zap_handler_release */
};

struct zap_handler {
    enum zap_mode mode;
    int status;        /* for ZAP_STATUS */
    char username[64]; /* what ZAP_CHECK_PASSWORD accepts */
    char password[64];

    void *socket;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    atomic_bool stop;
    bool release;
    /* The last request, under lock. */
    int requests;
    int frames; /* of the request, after REP took the delimiter: 8 PLAIN */
    char mechanism[16];
    char domain[64];
    char address[64];
    char identity[64];
    char username_seen[64];
};

/* Binds the handler in ctx and starts its thread: admin/secret accepted
 * by ZAP_CHECK_PASSWORD unless changed before the first request. */
bool zap_handler_start(struct zap_handler *zap, void *ctx, enum zap_mode mode);
int zap_handler_requests(struct zap_handler *zap);
bool zap_handler_wait_request(struct zap_handler *zap, int timeout_ms);
void zap_handler_release(struct zap_handler *zap);
/* Stops the thread (its socket closes); call before zmq_ctx_term. */
void zap_handler_stop(struct zap_handler *zap);

#endif
