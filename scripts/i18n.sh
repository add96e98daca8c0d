#!/usr/bin/env bash
# Translations: `bash scripts/i18n.sh update` re-extracts the strings and merges them into
# translations/{fr,nl}; `bash scripts/i18n.sh compile` builds the .mo files (install does it).
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL=.venv/bin/pybabel
case "${1:-compile}" in
  update)
    # pgettext/lazy_pgettext: a message context tells apart one English word with two
    # meanings ("Title" of a document or task, "Title" as the salutation).
    $PYBABEL extract -F babel.cfg -k _l -k lazy_gettext -k pgettext:1c,2 -k lazy_pgettext:1c,2 \
      --no-location --sort-output \
      -o translations/messages.pot .
    for lang in fr nl; do
      if [ -f "translations/$lang/LC_MESSAGES/messages.po" ]; then
        $PYBABEL update --no-fuzzy-matching -i translations/messages.pot -d translations -l "$lang"
      else
        $PYBABEL init -i translations/messages.pot -d translations -l "$lang"
      fi
    done
    ;;
  compile)
    [ -d translations ] && $PYBABEL compile -d translations || true
    ;;
esac
