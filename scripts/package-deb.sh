#!/usr/bin/env bash
# Builds the Debian package from a built binary with dpkg-deb:
#   cargo build --release && scripts/package-deb.sh            # target/debian/qiaoyi_<version>_<arch>.deb
#   scripts/package-deb.sh debug                               # the test run packages its debug build
# The package holds the stripped binary, the systemd unit (ops/qiaoyi.service), the configuration
# as a conffile (ops/qiaoyi.toml), the reference catalogue to import, the Caddy configuration and
# the Prometheus alert rules (in /usr/share/qiaoyi), a man page made from
# `qiaoyi --help` by help2man, and the documentation. Prints the package's path.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-release}
binary="target/$profile/qiaoyi"
[ -x "$binary" ] || { echo "no $binary: build it first (cargo build --release)" >&2; exit 2; }
version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
arch=$(dpkg --print-architecture)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

install -d "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/qiaoyi" "$root/usr/share/man/man1" \
  "$root/usr/share/doc/qiaoyi"
# Symbols and debug information are most of a Rust binary (a release build: 283 MB, 49 MB stripped).
strip --strip-all -o "$root/usr/bin/qiaoyi" "$binary"
chmod 0755 "$root/usr/bin/qiaoyi"
install -D -m 0644 ops/qiaoyi.service "$root/usr/lib/systemd/system/qiaoyi.service"
install -D -m 0640 ops/qiaoyi.toml "$root/etc/qiaoyi/qiaoyi.toml"
cp -r catalog "$root/usr/share/qiaoyi/catalog"
# The proxy's configuration and the alert rules OPERATIONS.md starts from.
cp ops/Caddyfile ops/prometheus-alerts.yml "$root/usr/share/qiaoyi/"
find "$root/usr/share/qiaoyi" -type d -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +
for doc in README.md OPERATIONS.md SECURITY.md CHANGELOG.md; do
  install -m 0644 "$doc" "$root/usr/share/doc/qiaoyi/$doc"
done
gzip -9n "$root/usr/share/doc/qiaoyi/CHANGELOG.md"
cat >"$root/usr/share/doc/qiaoyi/copyright" <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: qiaoyi

Files: *
License: AGPL-3.0-or-later
 On Debian systems the licence is not shipped in /usr/share/common-licenses; see
 https://www.gnu.org/licenses/agpl-3.0.html
EOF
help2man --no-info --no-discard-stderr --section=1 \
  --name="cross-border public services for a county bureau" \
  --version-string="$version" "$root/usr/bin/qiaoyi" | gzip -9n >"$root/usr/share/man/man1/qiaoyi.1.gz"

install -m 0755 ops/debian/postinst ops/debian/prerm ops/debian/postrm "$root/DEBIAN/"
echo /etc/qiaoyi/qiaoyi.toml >"$root/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<EOF
Package: qiaoyi
Version: $version
Architecture: $arch
Maintainer: Qiaoyi <noreply@localhost>
Installed-Size: $size
Depends: libc6 (>= 2.36), libgcc-s1, passwd
Recommends: fonts-noto-cjk
Suggests: caddy, postgresql, postgresql-client, coturn
Section: web
Priority: optional
Description: cross-border public services for a county bureau (侨驿)
 Qiaoyi lets a county bureau serve the people who emigrated from it: cases
 filed from overseas stations or a phone, certificates, round-the-clock
 consultation, a green channel for urgent help and a care programme for
 children whose parents work abroad. One binary serving pages and an API
 over SQLite or PostgreSQL, run as the systemd service qiaoyi.
EOF

mkdir -p target/debian
deb="target/debian/qiaoyi_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zzstd --build "$root" "$deb" >/dev/null
echo "$deb"
