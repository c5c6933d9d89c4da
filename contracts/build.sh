#!/usr/bin/env bash
# Builds the example contracts to contracts/<name>.wasm, checks them
# against Cairn's contract rules, and prints their sizes.
#
#   contracts/build.sh            build every example
#   contracts/build.sh --verify   build every example twice and fail unless
#                                 both builds give the same bytes
#
# Installs what it needs if missing: the npm packages pinned in
# package-lock.json (npm ci), clang-14 and lld-14 (Debian), wabt (for the
# checks). CI does not run it: the .wasm files are committed and the tests
# use those.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

verify=0
for arg in "$@"; do
	case "$arg" in
	--verify) verify=1 ;;
	*) echo "usage: $0 [--verify]" >&2; exit 2 ;;
	esac
done

# ---- tools -----------------------------------------------------------------

apt_install() {
	local sudo=""
	if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
	echo "build.sh: installing $* (apt-get)" >&2
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq "$@" >/dev/null
}

if ! command -v npm >/dev/null; then apt_install nodejs npm; fi
if ! command -v clang-14 >/dev/null || ! command -v wasm-ld-14 >/dev/null; then
	apt_install clang-14 lld-14
fi
if ! command -v wasm2wat >/dev/null || ! command -v wasm-validate >/dev/null; then
	apt_install wabt
fi

asc_version="$(node -p 'require("./package.json").devDependencies.assemblyscript')"
if [ ! -x node_modules/.bin/asc ] ||
	[ "$(node -p 'require("./node_modules/assemblyscript/package.json").version')" != "$asc_version" ]; then
	echo "build.sh: npm ci (assemblyscript $asc_version)" >&2
	npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

# ---- flags -----------------------------------------------------------------

# AssemblyScript: the stub runtime, its allocator swapped for sdk/alloc.ts
# (no start function), and AssemblyScript's abort sent to the SDK's, which
# calls env.abort(ptr, len). See sdk/cairn.ts.
ASC_FLAGS=(
	--runtime stub -O3 --noAssert
	--use abort=sdk/cairn/abortHandler
	--use __alloc=sdk/alloc/alloc --use __realloc=sdk/alloc/realloc
	--use __free=sdk/alloc/free --use __reset=sdk/alloc/reset
	--use __new=sdk/alloc/newObject --use __renew=sdk/alloc/renewObject
)

# C: freestanding, no libc, memcpy/memset as memory.copy/fill; a 16 KiB
# stack placed first in memory (an overflow traps instead of overwriting
# data), so the module needs 1 page; symbols and custom sections stripped.
CC_FLAGS=(
	--target=wasm32 -O2 -nostdlib -ffreestanding -fno-builtin -mbulk-memory
	-Wall -Wextra -Werror -Isdk
	-Wl,--no-entry -Wl,--export=call -Wl,--export-if-defined=init
	-Wl,-z,stack-size=16384 -Wl,--stack-first -Wl,--strip-all
)

# name:language. Each builds from NAME/NAME.ts or NAME/NAME.c.
EXAMPLES=(token:as escrow:c registry:as)
# The SDK conformance modules of examples_test.go: source:language:output.
SDKCHECKS=(sdkcheck/sdkcheck.ts:as:testdata/sdkcheck_as.wasm sdkcheck/sdkcheck.c:c:testdata/sdkcheck_c.wasm)

compile() { # src lang out
	case "$2" in
	as) node_modules/.bin/asc "$1" "${ASC_FLAGS[@]}" -o "$3" ;;
	c) clang-14 "${CC_FLAGS[@]}" -o "$3" "$1" ;;
	esac
}

# check FILE: the rules of docs/contracts.md that can be read off the module.
check() {
	local f="$1" wat problems=""
	wasm-validate "$f"
	wat="$(wasm2wat "$f")"
	if grep -Eq '\b(f32|f64)\b' <<<"$wat"; then problems+=" floats;"; fi
	if grep -Eq '^\s*\(start ' <<<"$wat"; then problems+=" start function;"; fi
	if grep -Eq '\b(memory\.init|data\.drop|table\.(set|grow|fill|init|copy)|elem\.drop|v128)\b' <<<"$wat"; then
		problems+=" forbidden instruction;"
	fi
	if grep -Eq '^\s*\(import ' <<<"$wat" && grep -E '^\s*\(import ' <<<"$wat" | grep -vq '(import "env" '; then
		problems+=" import outside env;"
	fi
	local exports
	exports="$(grep -Eo '^\s*\(export "[^"]*"' <<<"$wat" | sed -E 's/.*"([^"]*)"/\1/' | sort | tr '\n' ' ')"
	case "$exports" in
	"call init memory " | "call memory ") ;;
	*) problems+=" exports are '$exports' (want memory, call, optionally init);" ;;
	esac
	local pages
	pages="$(grep -Eo '^\s*\(memory \(;0;\) [0-9]+' <<<"$wat" | grep -Eo '[0-9]+$')"
	if [ -z "$pages" ] || [ "$pages" -gt 16 ]; then problems+=" memory minimum '$pages' pages (want <= 16);"; fi
	if [ -n "$problems" ]; then
		echo "build.sh: $f breaks the contract rules:$problems" >&2
		return 1
	fi
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

targets=() # src:lang:out
for ex in "${EXAMPLES[@]}"; do
	name="${ex%%:*}" lang="${ex##*:}"
	ext=ts
	if [ "$lang" = c ]; then ext=c; fi
	targets+=("$name/$name.$ext:$lang:$name.wasm")
done
targets+=("${SDKCHECKS[@]}")

mkdir -p testdata
for t in "${targets[@]}"; do
	IFS=: read -r src lang out <<<"$t"
	a="$tmp/a.wasm" b="$tmp/b.wasm"
	compile "$src" "$lang" "$a"
	check "$a"
	if [ "$verify" = 1 ]; then
		compile "$src" "$lang" "$b"
		if ! cmp -s "$a" "$b"; then
			echo "build.sh: $out differs between two builds" >&2
			exit 1
		fi
	fi
	cp "$a" "$out"
done

echo "module                         bytes  sha256"
for t in "${targets[@]}"; do
	out="${t##*:}"
	printf '%-29s %6d  %s\n' "$out" "$(wc -c <"$out")" "$(sha256sum "$out" | cut -c1-16)"
done
if [ "$verify" = 1 ]; then echo "reproducible: two builds gave the same bytes"; fi
