/*
 * The replay driver: the main of a fuzz target in the normal build (the
 * libFuzzer build brings its own main and leaves this file empty). It
 * feeds the target each file named on the command line, each file of each
 * directory named there, or, without arguments, every file of the
 * target's committed corpus (FUZZ_CORPUS_DIR/FUZZ_TARGET, both set by
 * tests/fuzz/local.mk), so
 * that make check replays the corpus on every build, sanitizers included.
 */
#ifndef MODZMQ_LIBFUZZER

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static const char corpus[] = FUZZ_CORPUS_DIR "/" FUZZ_TARGET;

/* A target need not define it (weak: NULL then). */
extern int LLVMFuzzerInitialize(int *argc, char ***argv)
    __attribute__((weak));

/* Reads a whole file; NULL with errno. */
static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    uint8_t *data = NULL;
    size_t have = 0, room = 0;
    for (;;) {
        if (have == room) {
            room = room ? room * 2 : 4096;
            uint8_t *grown = realloc(data, room);
            if (grown == NULL) {
                free(data);
                fclose(f);
                errno = ENOMEM;
                return NULL;
            }
            data = grown;
        }
        size_t n = fread(data + have, 1, room - have, f);
        have += n;
        if (n == 0)
            break;
    }
    bool failed = ferror(f) != 0;
    fclose(f);
    if (failed) {
        free(data);
        errno = EIO;
        return NULL;
    }
    *size = have;
    return data;
}

static int replay_file(const char *path)
{
    size_t size = 0;
    uint8_t *data = read_file(path, &size);
    if (data == NULL) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Every regular file of dir, in name order (hidden files skipped); the
 * count replayed, or -1. */
static long replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t count = 0, room = 0;
    struct dirent *entry;
    while ((entry = readdir(d)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        if (count == room) {
            room = room ? room * 2 : 64;
            char **grown = realloc(names, room * sizeof *names);
            if (grown == NULL)
                break;
            names = grown;
        }
        names[count] = strdup(entry->d_name);
        if (names[count] != NULL)
            count++;
    }
    closedir(d);
    if (count > 0)
        qsort(names, count, sizeof *names, compare_names);
    long replayed = 0;
    for (size_t i = 0; i < count; i++) {
        size_t length = strlen(dir) + strlen(names[i]) + 2;
        char *path = malloc(length);
        if (path != NULL) {
            snprintf(path, length, "%s/%s", dir, names[i]);
            struct stat st;
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                if (replay_file(path) < 0)
                    replayed = -1;
                else if (replayed >= 0)
                    replayed++;
            }
            free(path);
        }
        free(names[i]);
    }
    free(names);
    return replayed;
}

static long replay_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode))
        return replay_dir(path);
    return replay_file(path) < 0 ? -1 : 1;
}

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize != NULL)
        LLVMFuzzerInitialize(&argc, &argv);
    long total = 0;
    if (argc < 2) {
        total = replay_path(corpus);
        /* An empty corpus replays nothing: a broken build, not a pass. */
        if (total == 0)
            fprintf(stderr, "replay: %s holds no input\n", corpus);
        if (total <= 0)
            return 1;
        printf("replayed %ld inputs of %s\n", total, corpus);
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        long n = replay_path(argv[i]);
        if (n < 0)
            return 1;
        total += n;
    }
    printf("replayed %ld inputs\n", total);
    return 0;
}

#endif
