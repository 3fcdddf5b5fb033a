/*
 * PLAIN and CURVE options, the key files and keygen (see security.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zmq.h>

#include "report.h"
#include "security.h"

#define Z85_KEY_LENGTH 40

static int set_string(void *socket, int option, const char *value,
                      const char *what)
{
    if (zmq_setsockopt(socket, option, value, strlen(value)) != 0)
        return cli_fail_zmq(what);
    return CLI_EXIT_OK;
}

static int set_flag(void *socket, int option, const char *what)
{
    int one = 1;
    if (zmq_setsockopt(socket, option, &one, sizeof one) != 0)
        return cli_fail_zmq(what);
    return CLI_EXIT_OK;
}

/* Where the value of a "name = value" line begins, NULL when the line
 * does not name name. */
static const char *line_value(const char *line, const char *name)
{
    size_t length = strlen(name);
    line += strspn(line, " \t");
    if (strncmp(line, name, length) != 0)
        return NULL;
    line += length;
    line += strspn(line, " \t");
    if (*line++ != '=')
        return NULL;
    return line + strspn(line, " \t");
}

/* A "name = value" line's value, if the line names name: trimmed, in
 * value (41 bytes); true when it is a Z85 key's length. */
static bool key_line(const char *line, const char *name, char *value,
                     bool *matched)
{
    line = line_value(line, name);
    if (line == NULL)
        return false;
    *matched = true;
    size_t end = strcspn(line, " \t\r\n");
    if (end != Z85_KEY_LENGTH)
        return false;
    memcpy(value, line, Z85_KEY_LENGTH);
    value[Z85_KEY_LENGTH] = '\0';
    uint8_t binary[32];
    return zmq_z85_decode(binary, value) != NULL;
}

int cli_key_file_read(const char *path, char *public_key, char *secret_key)
{
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return cli_fail(CLI_EXIT_RUNTIME, "%s: %s", path, strerror(errno));
    bool have_public = false, have_secret = false;
    char line[512];
    int code = CLI_EXIT_OK;
    while (code == CLI_EXIT_OK && fgets(line, sizeof line, file) != NULL) {
        bool matched = false;
        if (key_line(line, "public-key", public_key, &matched))
            have_public = true;
        else if (!matched && secret_key != NULL &&
                 key_line(line, "secret-key", secret_key, &matched))
            have_secret = true;
        if (matched && !have_public && !have_secret)
            code = cli_fail(CLI_EXIT_RUNTIME, "%s: a key is not 40 Z85 characters",
                            path);
    }
    fclose(file);
    if (code != CLI_EXIT_OK)
        return code;
    if (!have_public)
        return cli_fail(CLI_EXIT_RUNTIME, "%s: no public-key line", path);
    if (secret_key != NULL && !have_secret)
        return cli_fail(CLI_EXIT_RUNTIME, "%s: no secret-key line", path);
    return CLI_EXIT_OK;
}

/* The value of a "name = value" line, blanks around it trimmed, as a new
 * string; NULL when the line does not name name. */
static char *text_line(const char *line, const char *name)
{
    const char *value = line_value(line, name);
    if (value == NULL)
        return NULL;
    size_t length = strcspn(value, "\r\n");
    while (length > 0 &&
           (value[length - 1] == ' ' || value[length - 1] == '\t'))
        length--;
    char *copy = strndup(value, length);
    if (copy == NULL)
        abort();
    return copy;
}

int cli_plain_file_read(struct cli_options *o)
{
    FILE *file = fopen(o->plain_file, "r");
    if (file == NULL)
        return cli_fail(CLI_EXIT_RUNTIME, "%s: %s", o->plain_file,
                        strerror(errno));
    struct stat st;
    if (fstat(fileno(file), &st) == 0 && (st.st_mode & 077) != 0)
        cli_note("%s is readable by others: chmod 600 it", o->plain_file);
    char line[1024];
    char *value;
    while (fgets(line, sizeof line, file) != NULL) {
        if ((value = text_line(line, "user")) != NULL) {
            free(o->plain_owned[0]);
            o->plain_owned[0] = value;
        } else if ((value = text_line(line, "password")) != NULL) {
            free(o->plain_owned[1]);
            o->plain_owned[1] = value;
        }
    }
    fclose(file);
    if (o->plain_owned[0] == NULL || o->plain_owned[1] == NULL)
        return cli_fail(CLI_EXIT_RUNTIME, "%s: no %s line", o->plain_file,
                        o->plain_owned[0] == NULL ? "user" : "password");
    o->plain_user = o->plain_owned[0];
    o->plain_password = o->plain_owned[1];
    return CLI_EXIT_OK;
}

static int apply_curve(void *socket, const struct cli_options *o)
{
    char public_key[41], secret_key[41];
    int code;
    if (o->curve_key != NULL)
        code = cli_key_file_read(o->curve_key, public_key, secret_key);
    else if (zmq_curve_keypair(public_key, secret_key) == 0)
        code = CLI_EXIT_OK; /* a client without a key file: a fresh pair */
    else
        code = cli_fail_zmq("CURVE key pair");
    if (code == CLI_EXIT_OK && o->curve_server)
        code = set_flag(socket, ZMQ_CURVE_SERVER, "--curve-server");
    if (code == CLI_EXIT_OK && o->curve_server_key != NULL) {
        char server_key[41];
        code = cli_key_file_read(o->curve_server_key, server_key, NULL);
        if (code == CLI_EXIT_OK)
            code = set_string(socket, ZMQ_CURVE_SERVERKEY, server_key,
                              "--curve-server-key");
    }
    if (code == CLI_EXIT_OK)
        code = set_string(socket, ZMQ_CURVE_PUBLICKEY, public_key, "CURVE key");
    if (code == CLI_EXIT_OK)
        code = set_string(socket, ZMQ_CURVE_SECRETKEY, secret_key, "CURVE key");
    memset(secret_key, 0, sizeof secret_key);
    return code;
}

int cli_security_apply(void *socket, const struct cli_options *o)
{
    int code = CLI_EXIT_OK;
    if (o->plain_server)
        code = set_flag(socket, ZMQ_PLAIN_SERVER, "--plain-server");
    /* A server's user and password are its ZAP handler's (zap.h); set
     * on the socket they would make it a client. */
    if (code == CLI_EXIT_OK && o->plain_user != NULL && !o->plain_server) {
        code = set_string(socket, ZMQ_PLAIN_USERNAME, o->plain_user,
                          "--plain-user");
        if (code == CLI_EXIT_OK)
            code = set_string(socket, ZMQ_PLAIN_PASSWORD, o->plain_password,
                              "--plain-password");
    }
    if (code == CLI_EXIT_OK && (o->curve_server || o->curve_server_key != NULL))
        code = apply_curve(socket, o);
    return code;
}

/* Writes text to a new file of that mode; never replaces one. */
static int write_new(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    if (fd < 0)
        return cli_fail(CLI_EXIT_RUNTIME, "%s: %s", path, strerror(errno));
    /* The mode asked, whatever the umask. */
    size_t length = strlen(text);
    bool ok = fchmod(fd, mode) == 0 && write(fd, text, length) == (ssize_t) length;
    ok = close(fd) == 0 && ok;
    if (!ok) {
        int error = errno;
        unlink(path);
        return cli_fail(CLI_EXIT_RUNTIME, "%s: %s", path, strerror(error));
    }
    return CLI_EXIT_OK;
}

int cli_keygen(const struct cli_options *o)
{
    char public_key[41], secret_key[41];
    if (zmq_curve_keypair(public_key, secret_key) != 0)
        return cli_fail_zmq("keygen");
    char public_text[256], secret_text[256];
    snprintf(public_text, sizeof public_text,
             "# modzmq CURVE public key (Z85)\npublic-key = %s\n", public_key);
    snprintf(secret_text, sizeof secret_text,
             "# modzmq CURVE key pair (Z85): keep this file secret\n"
             "public-key = %s\nsecret-key = %s\n",
             public_key, secret_key);
    memset(secret_key, 0, sizeof secret_key);
    if (o->output == NULL) {
        fputs(secret_text, stdout);
        memset(secret_text, 0, sizeof secret_text);
        return fflush(stdout) == 0 ? CLI_EXIT_OK
                                   : cli_fail(CLI_EXIT_RUNTIME, "stdout: %s",
                                              strerror(errno));
    }
    size_t length = strlen(o->output) + 5;
    char *public_path = malloc(length), *secret_path = malloc(length);
    if (public_path == NULL || secret_path == NULL)
        abort();
    snprintf(public_path, length, "%s.pub", o->output);
    snprintf(secret_path, length, "%s.key", o->output);
    int code = CLI_EXIT_OK;
    /* Neither is written when either exists. */
    if (access(public_path, F_OK) == 0 || access(secret_path, F_OK) == 0)
        code = cli_fail(CLI_EXIT_RUNTIME, "%s.pub or %s.key exists: not overwritten",
                        o->output, o->output);
    if (code == CLI_EXIT_OK)
        code = write_new(secret_path, secret_text, 0600);
    if (code == CLI_EXIT_OK) {
        code = write_new(public_path, public_text, 0644);
        if (code != CLI_EXIT_OK)
            unlink(secret_path);
    }
    memset(secret_text, 0, sizeof secret_text);
    free(public_path);
    free(secret_path);
    return code;
}
