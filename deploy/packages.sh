# shellcheck shell=bash
# Reading and installing deploy/debian-packages, shared by deploy/test.sh
# (every role) and deploy/quickstart.sh (the roles it needs). Source it;
# it defines functions only and changes no shell options.
#
#   hz_packages [ROLE...]          package names for ROLEs (all when none)
#   hz_missing_packages [ROLE...]  those of them dpkg does not list as installed
#   hz_apt_install PACKAGE...      apt-get update + install -y, three tries
#
# Why one file: the list's format (PACKAGE ROLE, "#" comments) is read in
# one place, so a new role or column cannot leave one reader behind.
# deploy/Containerfile reads the same list with one awk line, since the
# container build has only that file copied in.

HZ_PACKAGES_FILE=${HZ_PACKAGES_FILE:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/debian-packages}

hz_packages() {
  grep -v '^[[:space:]]*#' "$HZ_PACKAGES_FILE" | awk -v roles="$*" '
    BEGIN { n = split(roles, r, " "); for (i = 1; i <= n; i++) want[r[i]] = 1 }
    NF && (n == 0 || ($2 in want)) { print $1 }'
}

hz_missing_packages() {
  local p
  for p in $(hz_packages "$@"); do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

# Returns non-zero when apt-get failed three times; the caller decides
# whether what is installed is enough (hz_missing_packages).
hz_apt_install() {
  local apt_opts=(-o DPkg::Lock::Timeout=300 -o Acquire::Retries=3) try
  export DEBIAN_FRONTEND=noninteractive
  for try in 1 2 3; do
    if apt-get "${apt_opts[@]}" update &&
       apt-get "${apt_opts[@]}" install -y --no-install-recommends "$@"; then
      return 0
    fi
    echo "apt-get failed (try $try of 3)" >&2
    sleep $((try * 10))
  done
  return 1
}
