/*
 * A tcp proxy on loopback that can cut its connections, for the delivery
 * suite: peers connect to the proxy, which forwards each connection to
 * the target endpoint; cut_proxy_cut resets every connection it carries
 * (both sides get RST), as a network failure or a dead peer would. It
 * runs in a thread of its own and opens no zmq socket.
 */
#ifndef TEST_CUT_PROXY_H
#define TEST_CUT_PROXY_H

struct cut_proxy;

/* Forwards to target ("tcp://127.0.0.1:PORT"); NULL on failure. */
struct cut_proxy *cut_proxy_start(const char *target);
/* The endpoint peers connect to. */
const char *cut_proxy_endpoint(const struct cut_proxy *proxy);
/* Resets every connection carried now; returns how many, once the proxy
 * thread has done it. */
int cut_proxy_cut(struct cut_proxy *proxy);
/* Connections accepted so far. */
long cut_proxy_accepted(const struct cut_proxy *proxy);
void cut_proxy_stop(struct cut_proxy *proxy);

#endif
