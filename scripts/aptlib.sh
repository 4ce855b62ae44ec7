# Sourced by scripts/deps-demo.sh and scripts/deps.sh: checks and one
# apt-get run for what a fresh Debian/Ubuntu machine lacks.

have() { command -v "$1" >/dev/null 2>&1; }

# need_build adds to the array need what building netbeat needs and the
# machine lacks: the libpcap headers and a C compiler for the cgo capture code.
need_build() {
	dpkg -s libpcap-dev >/dev/null 2>&1 || need+=(libpcap-dev)
	have gcc || need+=(gcc)
}

# apt_install WHY PKG... installs the packages in one apt-get run, as root or
# with sudo; nothing when no package is given.
apt_install() {
	local why=$1 sudo=""
	shift
	(($#)) || return 0
	echo ">> installing ($why): $*"
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
