#!/usr/bin/env bash
# The layering rule of ARCHITECTURE.md: models/ and services/ never include QtWidgets;
# models/ never includes libgit2, libvirt or libssh. Exit 1 and name the files on a
# violation. `--self-test` proves the check catches one, on a scratch tree.
set -u

check() {
  local root=$1 bad=0
  local widgets='#include[[:space:]]*[<"](QtWidgets|QWidget|QMainWindow|QDialog|QMessageBox|QPushButton|QTreeView|QTableView|QListView|QPlainTextEdit|QApplication|QAbstractButton|QLabel|QLineEdit)[>/"]'
  local clibs='#include[[:space:]]*[<"](git2|libvirt/|libssh/)'
  local hits
  hits=$(grep -rlE "$widgets" "$root/models" "$root/services" 2>/dev/null)
  if [ -n "$hits" ]; then
    echo "layering: a QtWidgets header is included below ui/:"; echo "$hits"; bad=1
  fi
  hits=$(grep -rlE "$clibs" "$root/models" 2>/dev/null)
  if [ -n "$hits" ]; then
    echo "layering: a C library header is included in models/:"; echo "$hits"; bad=1
  fi
  # services/ public headers must not expose C library types
  hits=$(grep -lE '\b(git_[a-z_]+|vir[A-Z][A-Za-z]+Ptr|ssh_[a-z_]+)\b' "$root"/services/*/*.h 2>/dev/null \
         | grep -vE '(Private|Handles)\.h$')
  if [ -n "$hits" ]; then
    echo "layering: a public services/ header names a C library type:"; echo "$hits"; bad=1
  fi
  return $bad
}

if [ "${1:-}" = "--self-test" ]; then
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/models" "$tmp/services/git"
  echo '#include <QString>' > "$tmp/models/Fine.h"
  check "$tmp" >/dev/null || { echo "self-test: a clean tree was reported"; exit 1; }
  echo '#include <QWidget>' > "$tmp/services/git/Bad.cpp"
  check "$tmp" >/dev/null && { echo "self-test: a widget include in services/ was missed"; exit 1; }
  rm "$tmp/services/git/Bad.cpp"; echo '#include <git2.h>' > "$tmp/models/Bad.cpp"
  check "$tmp" >/dev/null && { echo "self-test: a libgit2 include in models/ was missed"; exit 1; }
  rm "$tmp/models/Bad.cpp"; echo 'git_repository *repo();' > "$tmp/services/git/Api.h"
  check "$tmp" >/dev/null && { echo "self-test: a libgit2 type in a public header was missed"; exit 1; }
  echo "self-test: all violations caught"
  exit 0
fi

check "${1:-.}" && echo "layering: ok"
