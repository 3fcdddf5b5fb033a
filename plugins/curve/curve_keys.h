/*
 * curve plugin: key pairs as Z85 text, for zmq_curve_keypair and
 * zmq_curve_public (the plugin's curve-keys extension, curve.h).
 */
#ifndef CURVE_KEYS_H
#define CURVE_KEYS_H

/* A new pair as two 41-octet Z85 strings. Always 0. */
int curve_keypair(char *z85_public_key, char *z85_secret_key);

/* The public key of a Z85 secret key. 0, or -1 with EINVAL when the text
 * is no Z85 key. */
int curve_public(char *z85_public_key, const char *z85_secret_key);

#endif
