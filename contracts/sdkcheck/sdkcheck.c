/*
 * sdkcheck: calls every host function through cairn.h, for the
 * conformance test in examples_test.go (not an example; built to
 * testdata/sdkcheck_c.wasm). Methods 01 to 0c as in sdkcheck.ts.
 */
#include "cairn.h"

static uint8_t in[2048];
static uint8_t out[64];

static void need(int32_t have, int32_t want) {
	if (have < want)
		cairn_abort("bad input");
}

CAIRN_EXPORT("call") void call(void) {
	int32_t n = cairn_input(in, sizeof in);
	if (n > (int32_t)sizeof in)
		cairn_abort("input too long");
	need(n, 1);
	const uint8_t *a = in + 1;
	int32_t rest = n - 1;
	switch (in[0]) {
	case 0x01:
		cairn_set_return(a, rest);
		return;
	case 0x02: {
		need(rest, 1);
		int32_t klen = a[0];
		need(rest, 1 + klen);
		const uint8_t *k = a + 1, *v = a + 1 + klen;
		int32_t vlen = rest - 1 - klen;
		cairn_storage_write(k, klen, v, vlen);
		static uint8_t back[1024];
		int32_t got = cairn_storage_read(k, klen, back, sizeof back);
		if (got < 0)
			cairn_abort("written key is absent");
		cairn_set_return(back, got);
		return;
	}
	case 0x03:
		cairn_storage_delete(a, rest);
		out[0] = cairn_storage_read(a, rest, 0, 0) >= 0;
		out[1] = cairn_storage_read(a, rest, 0, 0) == -1;
		cairn_set_return(out, 2);
		return;
	case 0x04:
		need(rest, 8);
		cairn_set_u64_at("u", cairn_get_u64(a));
		cairn_return_u64(cairn_get_u64_at("u") + 1);
		return;
	case 0x05: {
		cairn_address c = cairn_get_caller(), s = cairn_get_self();
		cairn_memcpy(out, c.b, 20);
		cairn_memcpy(out + 20, s.b, 20);
		cairn_put_u64(out + 40, (uint64_t)cairn_value());
		cairn_put_u64(out + 48, (uint64_t)cairn_block_height());
		cairn_put_u64(out + 56, (uint64_t)cairn_block_time());
		cairn_set_return(out, 64);
		return;
	}
	case 0x06:
		need(rest, 20);
		cairn_return_u64((uint64_t)cairn_balance(a));
		return;
	case 0x07:
		need(rest, 28);
		out[0] = (uint8_t)cairn_transfer(a, (int64_t)cairn_get_u64(a + 20));
		cairn_set_return(out, 1);
		return;
	case 0x08:
		need(rest, 40);
		cairn_return_u64((uint64_t)cairn_asset_balance(a, a + 20));
		return;
	case 0x09:
		need(rest, 48);
		out[0] = (uint8_t)cairn_asset_transfer(a, a + 20, (int64_t)cairn_get_u64(a + 40));
		cairn_set_return(out, 1);
		return;
	case 0x0a:
		cairn_sha256(a, rest, out);
		cairn_set_return(out, 32);
		return;
	case 0x0b: {
		need(rest, 1);
		int32_t tlen = a[0];
		need(rest, 1 + tlen);
		cairn_emit_event(a + 1, tlen, a + 1 + tlen, rest - 1 - tlen);
		return;
	}
	case 0x0c:
		in[n < (int32_t)sizeof in ? n : (int32_t)sizeof in - 1] = 0;
		cairn_abort((const char *)a);
	default:
		cairn_abort("unknown method");
	}
}
