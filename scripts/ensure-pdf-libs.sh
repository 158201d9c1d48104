#!/usr/bin/env bash
# Order documents (Surat Pesanan, BAST, invoice) are rendered to PDF by WeasyPrint, which needs Pango's libraries
# and HarfBuzz's subsetter (it embeds only the glyphs a document uses; without it WeasyPrint warns, and the tests
# treat warnings as errors).
set -euo pipefail
PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
have_lib() { grep -q "$1" <<<"$(ldconfig -p 2>/dev/null)"; }
have_pango() { have_lib 'libpango-1.0.so.0' && have_lib 'libpangoft2-1.0.so.0' && have_lib 'libharfbuzz-subset.so.0'; }
if have_pango; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Pango and HarfBuzz's subsetter for PDF documents (WeasyPrint)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq $PACKAGES >/dev/null
  have_pango && exit 0
fi
echo "Missing: Pango and HarfBuzz's subsetter (Debian packages $PACKAGES) for PDF documents. Install them with: sudo apt-get install $PACKAGES" >&2
exit 1
