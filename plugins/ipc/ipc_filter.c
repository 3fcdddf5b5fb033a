/*
 * ipc plugin: peer credential filters (see ipc_filter.h). Group matching
 * looks at the peer user's supplementary groups too, as libzmq does, so
 * it asks the user database (getpwuid_r, getgrouplist).
 */
#include "ipc_filter.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

bool ipc_filter_is_open(const struct ipc_options *options)
{
    return options->uid_count == 0 && options->gid_count == 0 &&
           options->pid_count == 0;
}

static bool listed_gid(const struct ipc_options *options, gid_t gid)
{
    for (size_t i = 0; i < options->gid_count; i++) {
        if (options->gids[i] == gid)
            return true;
    }
    return false;
}

/* The groups of the user called name, primary group gid included:
 * an array of *count ids to free, or NULL. */
static gid_t *groups_of(const char *name, gid_t gid, int *count)
{
    *count = 64;
    gid_t *groups = malloc((size_t) *count * sizeof *groups);
    if (groups == NULL || getgrouplist(name, gid, groups, count) != -1)
        return groups;
    /* Too many for the first try: *count now says how many there are. */
    gid_t *grown = realloc(groups, (size_t) *count * sizeof *groups);
    if (grown == NULL || getgrouplist(name, gid, grown, count) == -1) {
        free(grown != NULL ? grown : groups);
        return NULL;
    }
    return grown;
}

/* Whether user uid (primary group gid) belongs to a listed group. */
static bool member_of_listed_group(const struct ipc_options *options, uid_t uid,
                                   gid_t gid)
{
    if (listed_gid(options, gid))
        return true;
    long buffer_size = sysconf(_SC_GETPW_R_SIZE_MAX);
    if (buffer_size <= 0)
        buffer_size = 16384;
    char *buffer = malloc((size_t) buffer_size);
    if (buffer == NULL)
        return false;
    struct passwd entry, *user = NULL;
    bool member = false;
    if (getpwuid_r(uid, &entry, buffer, (size_t) buffer_size, &user) == 0 &&
        user != NULL) {
        int count;
        gid_t *groups = groups_of(user->pw_name, gid, &count);
        for (int i = 0; groups != NULL && i < count && !member; i++)
            member = listed_gid(options, groups[i]);
        free(groups);
    }
    free(buffer);
    return member;
}

int ipc_filter_check(const struct ipc_options *options, int fd)
{
    if (ipc_filter_is_open(options))
        return 0;
    struct ucred peer;
    socklen_t size = sizeof peer;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0)
        return -1;
    for (size_t i = 0; i < options->uid_count; i++) {
        if (options->uids[i] == peer.uid)
            return 0;
    }
    for (size_t i = 0; i < options->pid_count; i++) {
        if (options->pids[i] == peer.pid)
            return 0;
    }
    if (options->gid_count > 0 &&
        member_of_listed_group(options, peer.uid, peer.gid))
        return 0;
    errno = EACCES;
    return -1;
}
