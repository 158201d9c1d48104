#!/usr/bin/env bash
# Order documents (Surat Pesanan, BAST, invoice) are rendered to PDF by WeasyPrint, which needs Pango's libraries.
set -euo pipefail
have_pango() { ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so.0' && ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0'; }
if have_pango; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Pango for PDF documents (WeasyPrint)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null
  have_pango && exit 0
fi
echo "Missing: Pango (Debian packages libpango-1.0-0 and libpangoft2-1.0-0) for PDF documents. Install them with: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0" >&2
exit 1
