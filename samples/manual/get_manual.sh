#!/bin/sh
# Fetch the manual used by this evaluation set: "R Installation and Administration"
# (R-admin.pdf, R 4.2.2 Patched, 85 pages, typeset by pdfTeX from Texinfo), as shipped in
# Debian bookworm's r-doc-pdf package. Writes samples/manual/manual.pdf.
#
# The PDF is also committed beside this script (its permission notice allows verbatim
# copies), so this is only needed to check it or to rebuild it from the Debian package.
#
# Needs apt-get (run `apt-get update` once first) and dpkg-deb. The package version is
# pinned; if that version is gone from the archive the script takes the newest one and
# warns, and then the page numbers in questions.json may no longer hold.
set -eu

PKG=r-doc-pdf
VERSION=4.2.2.20221110-2
MEMBER=./usr/share/R/doc/manual/R-admin.pdf
PDF_SHA256=50e256b5f873bbee4c8482df3754fa8654f02ef693409fe5e30b2f114e3efe9f

here=$(cd "$(dirname "$0")" && pwd)
out="$here/manual.pdf"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

cd "$tmp"
fallback=no
if ! apt-get download "$PKG=$VERSION" >/dev/null 2>&1; then
    echo "warning: $PKG $VERSION is not available; falling back to the newest $PKG" >&2
    echo "warning: questions.json was written for $VERSION and may not match" >&2
    apt-get download "$PKG"
    fallback=yes
fi
deb=$(ls "$tmp"/"$PKG"_*.deb)
echo "downloaded $(basename "$deb")" >&2

dpkg-deb -x "$deb" "$tmp/root"
cp "$tmp/root/$MEMBER" "$out"

got=$(sha256sum "$out" | cut -d' ' -f1)
if [ "$got" = "$PDF_SHA256" ]; then
    echo "ok: $out (sha256 $got)" >&2
else
    echo "warning: $out has sha256 $got, expected $PDF_SHA256" >&2
    # a different PDF from the pinned package is an error; from a newer one, expected
    [ "$fallback" = yes ] || exit 2
fi
