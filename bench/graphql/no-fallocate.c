/* On btrfs, posix_fallocate reports "not supported": PostgreSQL then extends its files by writing
   zeros, which btrfs compresses (it writes into fallocated extents uncompressed). Elsewhere (the
   shared memory in /dev/shm) the real call runs. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/types.h>
#include <sys/vfs.h>
#define BTRFS_MAGIC 0x9123683E
typedef int (*fallocate_fn)(int, off_t, off_t);
static int choose(const char *name, int fd, off_t offset, off_t len) {
  struct statfs fs;
  if (fstatfs(fd, &fs) == 0 && (unsigned long)fs.f_type == BTRFS_MAGIC) return EOPNOTSUPP;
  fallocate_fn real = (fallocate_fn)dlsym(RTLD_NEXT, name);
  return real ? real(fd, offset, len) : EOPNOTSUPP;
}
int posix_fallocate(int fd, off_t offset, off_t len) { return choose("posix_fallocate", fd, offset, len); }
int posix_fallocate64(int fd, off_t offset, off_t len) { return choose("posix_fallocate64", fd, offset, len); }
