/*
 * cairn.h: the Cairn contract host ABI for C (module "env"), and a few
 * freestanding helpers. The ABI is described in docs/contracts.md.
 *
 * Build (see build.sh; clang 14 and lld 14 from Debian):
 *
 *   clang-14 --target=wasm32 -O2 -nostdlib -ffreestanding -mbulk-memory \
 *       -fno-builtin -Isdk -Wl,--no-entry -Wl,--export=call \
 *       -Wl,--export-if-defined=init -Wl,-z,stack-size=16384 \
 *       -Wl,--stack-first -Wl,--strip-all \
 *       -o NAME.wasm NAME/NAME.c
 *
 * There is no libc: use cairn_memcpy / cairn_memset / cairn_memeq below
 * (they compile to memory.copy, memory.fill and a loop). No floats, no
 * static constructors.
 *
 * Integers in inputs, return values, storage and events are big-endian
 * (cairn_get_u64 / cairn_put_u64).
 */
#ifndef CAIRN_H
#define CAIRN_H

#include <stdint.h>
#include <stddef.h>

#define CAIRN_IMPORT(name) \
	__attribute__((import_module("env"), import_name(name)))
#define CAIRN_EXPORT(name) __attribute__((export_name(name)))

/* ---- Host ABI -------------------------------------------------------- */

CAIRN_IMPORT("input") int32_t cairn_input(void *ptr, int32_t cap);
CAIRN_IMPORT("set_return") void cairn_set_return(const void *ptr, int32_t len);
CAIRN_IMPORT("storage_read") int32_t cairn_storage_read(const void *key, int32_t klen, void *val, int32_t vcap);
CAIRN_IMPORT("storage_write") void cairn_storage_write(const void *key, int32_t klen, const void *val, int32_t vlen);
CAIRN_IMPORT("storage_delete") void cairn_storage_delete(const void *key, int32_t klen);
CAIRN_IMPORT("caller") void cairn_caller(void *addr20);
CAIRN_IMPORT("self_address") void cairn_self_address(void *addr20);
CAIRN_IMPORT("value") int64_t cairn_value(void);
CAIRN_IMPORT("block_height") int64_t cairn_block_height(void);
CAIRN_IMPORT("block_time") int64_t cairn_block_time(void);
CAIRN_IMPORT("balance") int64_t cairn_balance(const void *addr20);
CAIRN_IMPORT("asset_balance") int64_t cairn_asset_balance(const void *asset20, const void *addr20);
CAIRN_IMPORT("transfer") int32_t cairn_transfer(const void *to20, int64_t amount);
CAIRN_IMPORT("asset_transfer") int32_t cairn_asset_transfer(const void *asset20, const void *to20, int64_t amount);
CAIRN_IMPORT("emit_event") void cairn_emit_event(const void *topic, int32_t tlen, const void *data, int32_t dlen);
CAIRN_IMPORT("sha256") void cairn_sha256(const void *ptr, int32_t len, void *out32);
CAIRN_IMPORT("abort") void cairn_abort_raw(const void *msg, int32_t len);

/* ---- Limits and error numbers ---------------------------------------- */

#define CAIRN_ADDRESS_LEN 20
#define CAIRN_ASSET_ID_LEN 20
#define CAIRN_HASH_LEN 32
#define CAIRN_MAX_AMOUNT 9007199254740991LL /* 2^53 - 1 */
#define CAIRN_MAX_RETURN 16384
#define CAIRN_MAX_KEY 64
#define CAIRN_MAX_VALUE 8192
#define CAIRN_MAX_TOPIC 32
#define CAIRN_MAX_EVENT_DATA 1024
#define CAIRN_MAX_ABORT_MESSAGE 256

/* Results of cairn_transfer and cairn_asset_transfer. */
#define CAIRN_TRANSFER_OK 0
#define CAIRN_ERR_INSUFFICIENT_FUNDS 1
#define CAIRN_ERR_INVALID_AMOUNT 2
#define CAIRN_ERR_ASSET_NOT_FOUND 3
#define CAIRN_ERR_FROZEN 4
#define CAIRN_ERR_NOT_PERMITTED 5

typedef struct {
	uint8_t b[CAIRN_ADDRESS_LEN];
} cairn_address;

/* ---- Helpers ---------------------------------------------------------- */

static inline void cairn_memcpy(void *dst, const void *src, size_t n) {
	__builtin_memcpy(dst, src, n); /* memory.copy with -mbulk-memory */
}

static inline void cairn_memset(void *dst, int c, size_t n) {
	__builtin_memset(dst, c, n); /* memory.fill with -mbulk-memory */
}

static inline int cairn_memeq(const void *a, const void *b, size_t n) {
	const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
	uint8_t d = 0;
	for (size_t i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

static inline size_t cairn_strlen(const char *s) {
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

/* Stops the call as failed with the UTF-8 message (a C string, cut to 256
 * bytes without splitting a character). Never returns. */
__attribute__((noreturn, noinline, unused)) static void cairn_abort(const char *msg) {
	size_t n = cairn_strlen(msg);
	if (n > CAIRN_MAX_ABORT_MESSAGE) {
		n = CAIRN_MAX_ABORT_MESSAGE;
		while (n > 0 && ((uint8_t)msg[n] & 0xC0) == 0x80)
			n--;
	}
	cairn_abort_raw(msg, (int32_t)n);
	__builtin_unreachable();
}

/* Aborts with msg unless cond holds. */
static inline void cairn_require(int cond, const char *msg) {
	if (!cond)
		cairn_abort(msg);
}

static inline uint64_t cairn_get_u64(const uint8_t *p) {
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static inline void cairn_put_u64(uint8_t *p, uint64_t v) {
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static inline cairn_address cairn_get_caller(void) {
	cairn_address a;
	cairn_caller(a.b);
	return a;
}

static inline cairn_address cairn_get_self(void) {
	cairn_address a;
	cairn_self_address(a.b);
	return a;
}

static inline int cairn_address_eq(const cairn_address *a, const cairn_address *b) {
	return cairn_memeq(a->b, b->b, CAIRN_ADDRESS_LEN);
}

/* Emits an event whose topic is a C string. */
static inline void cairn_emit(const char *topic, const void *data, int32_t dlen) {
	cairn_emit_event(topic, (int32_t)cairn_strlen(topic), data, dlen);
}

/* Storage with a C-string key. */
static inline int32_t cairn_get(const char *key, void *val, int32_t vcap) {
	return cairn_storage_read(key, (int32_t)cairn_strlen(key), val, vcap);
}

static inline void cairn_set(const char *key, const void *val, int32_t vlen) {
	cairn_storage_write(key, (int32_t)cairn_strlen(key), val, vlen);
}

/* The u64 at a C-string key (8 bytes big-endian), or 0 if absent. */
static inline uint64_t cairn_get_u64_at(const char *key) {
	uint8_t buf[8];
	int32_t n = cairn_get(key, buf, 8);
	if (n < 0)
		return 0;
	if (n != 8)
		cairn_abort("stored value is not a u64");
	return cairn_get_u64(buf);
}

static inline void cairn_set_u64_at(const char *key, uint64_t v) {
	uint8_t buf[8];
	cairn_put_u64(buf, v);
	cairn_set(key, buf, 8);
}

/* Sets the return value to a u64, 8 bytes big-endian. */
static inline void cairn_return_u64(uint64_t v) {
	uint8_t buf[8];
	cairn_put_u64(buf, v);
	cairn_set_return(buf, 8);
}

/* Aborts unless the call carries no coins. */
static inline void cairn_require_no_value(void) {
	if (cairn_value() != 0)
		cairn_abort("this method does not take coins");
}

#endif /* CAIRN_H */
