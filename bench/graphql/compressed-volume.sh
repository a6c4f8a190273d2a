#!/usr/bin/env bash
# A zstd-compressed btrfs volume for bench/graphql's embedded PostgreSQL, for a disk too small for
# the data uncompressed (50 million decisions take about 95 GB as PostgreSQL stores them and about
# a tenth of that compressed; docs/read-models.md "At 50 million decisions"). Needs root, the
# btrfs module, btrfs-progs and a C compiler.
#
#   bash bench/graphql/compressed-volume.sh IMAGE MOUNTPOINT [SIZE]     # SIZE of the sparse image, default 200G
#
# It prints the command that runs the bench on the volume. PostgreSQL extends its files with
# posix_fallocate, and btrfs writes into fallocated extents uncompressed: no-fallocate.c, preloaded,
# answers "not supported" for files on btrfs, so PostgreSQL writes zeros instead, which compress.
set -euo pipefail
image=${1:?usage: compressed-volume.sh IMAGE MOUNTPOINT [SIZE]}
mountpoint=${2:?usage: compressed-volume.sh IMAGE MOUNTPOINT [SIZE]}
size=${3:-200G}
here=$(cd "$(dirname "$0")" && pwd)

command -v mkfs.btrfs >/dev/null || { echo "mkfs.btrfs is missing: apt-get install btrfs-progs" >&2; exit 1; }
if ! mountpoint -q "$mountpoint"; then
  [ -e "$image" ] || { truncate -s "$size" "$image" && mkfs.btrfs -q "$image"; }
  mkdir -p "$mountpoint"
  mount -o loop,compress-force=zstd:1,noatime "$image" "$mountpoint"
fi
chmod 1777 "$mountpoint"
# The library must be readable by the postgres user the embedded server runs as.
cc -shared -fPIC -O2 -o "$mountpoint/no-fallocate.so" "$here/no-fallocate.c" -ldl
chmod 755 "$mountpoint/no-fallocate.so"
echo "TMPDIR=$mountpoint LD_PRELOAD=$mountpoint/no-fallocate.so npm run bench graphql -- --decisions 50000000"
echo "real disk use: compsize $mountpoint"
