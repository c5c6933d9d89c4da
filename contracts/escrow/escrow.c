/*
 * escrow: coins held for a seller until an arbiter releases them, or
 * refunded to the buyer after a deadline (C example).
 *
 * Integers are big-endian; addresses are 20 bytes. Hex below is what goes
 * after --init / --input on the command line.
 *
 * init (deploy, by the buyer):
 *   seller (20) | arbiter (20) | deadline height u64 (8)      48 bytes
 *   The deployer is the buyer. Aborts if the deadline is not above the
 *   current height, or an address is all zeros.
 *
 * call: the first byte is the method.
 *   01 fund     01, with coins attached (--amount N)         1 byte
 *        by the buyer only, while the escrow is open; N > 0.
 *   02 release  02                                            1 byte
 *        by the arbiter only: all the coins the contract holds go to the
 *        seller, and the escrow closes (aborts if it holds none).
 *   03 refund   03                                            1 byte
 *        by the buyer only, at a height above the deadline: all the coins
 *        go back to the buyer, and the escrow closes.
 *   04 state    04                                            1 byte
 *        returns buyer (20) | seller (20) | arbiter (20) |
 *        deadline u64 (8) | held u64 (8) | closed u8 (1)    77 bytes
 *   Anyone else, a closed escrow, or coins sent with a method other than
 *   fund: the call aborts with a message saying why.
 *
 * storage:
 *   "buyer", "seller", "arbiter"   20-byte addresses
 *   "deadline"                     u64
 *   "closed"                       1 byte (01), set by release or refund
 *
 * events:
 *   "funded"    buyer (20) | amount u64 (8) | held u64 (8)     36 bytes
 *   "released"  seller (20) | amount u64 (8)                   28 bytes
 *   "refunded"  buyer (20) | amount u64 (8)                    28 bytes
 */
#include "cairn.h"

enum {
	METHOD_FUND = 0x01,
	METHOD_RELEASE = 0x02,
	METHOD_REFUND = 0x03,
	METHOD_STATE = 0x04,
};

static void load_address(const char *key, cairn_address *a) {
	if (cairn_get(key, a->b, CAIRN_ADDRESS_LEN) != CAIRN_ADDRESS_LEN)
		cairn_abort("escrow not initialised");
}

static int is_zero(const cairn_address *a) {
	uint8_t d = 0;
	for (int i = 0; i < CAIRN_ADDRESS_LEN; i++)
		d |= a->b[i];
	return d == 0;
}

static int is_closed(void) {
	uint8_t c;
	return cairn_get("closed", &c, 1) >= 0;
}

/* Pays everything the contract holds to `to`, closes, and emits `topic`. */
static void pay_out(const cairn_address *to, const char *topic) {
	cairn_address self = cairn_get_self();
	int64_t held = cairn_balance(self.b);
	if (held <= 0)
		cairn_abort("nothing to pay out: the escrow holds no coins");
	if (cairn_transfer(to->b, held) != CAIRN_TRANSFER_OK)
		cairn_abort("transfer failed");
	uint8_t closed = 1;
	cairn_set("closed", &closed, 1);
	uint8_t ev[CAIRN_ADDRESS_LEN + 8];
	cairn_memcpy(ev, to->b, CAIRN_ADDRESS_LEN);
	cairn_put_u64(ev + CAIRN_ADDRESS_LEN, (uint64_t)held);
	cairn_emit(topic, ev, sizeof ev);
}

CAIRN_EXPORT("init") void init(void) {
	uint8_t in[48];
	cairn_require_no_value();
	if (cairn_input(in, sizeof in) != sizeof in)
		cairn_abort("bad input: want seller (20) | arbiter (20) | deadline u64 (8)");
	cairn_address seller, arbiter;
	cairn_memcpy(seller.b, in, CAIRN_ADDRESS_LEN);
	cairn_memcpy(arbiter.b, in + 20, CAIRN_ADDRESS_LEN);
	uint64_t deadline = cairn_get_u64(in + 40);
	if (is_zero(&seller) || is_zero(&arbiter))
		cairn_abort("seller and arbiter must not be the zero address");
	if (deadline <= (uint64_t)cairn_block_height())
		cairn_abort("deadline must be above the current height");
	cairn_address buyer = cairn_get_caller();
	cairn_set("buyer", buyer.b, CAIRN_ADDRESS_LEN);
	cairn_set("seller", seller.b, CAIRN_ADDRESS_LEN);
	cairn_set("arbiter", arbiter.b, CAIRN_ADDRESS_LEN);
	cairn_set_u64_at("deadline", deadline);
}

CAIRN_EXPORT("call") void call(void) {
	uint8_t method;
	if (cairn_input(&method, 1) != 1)
		cairn_abort("bad input: want one method byte");
	cairn_address who = cairn_get_caller();
	cairn_address buyer;
	load_address("buyer", &buyer);

	switch (method) {
	case METHOD_FUND: {
		int64_t amount = cairn_value();
		if (amount <= 0)
			cairn_abort("fund needs coins: send an amount with the call");
		if (!cairn_address_eq(&who, &buyer))
			cairn_abort("only the buyer can fund");
		if (is_closed())
			cairn_abort("escrow is closed");
		cairn_address self = cairn_get_self();
		uint8_t ev[CAIRN_ADDRESS_LEN + 16];
		cairn_memcpy(ev, buyer.b, CAIRN_ADDRESS_LEN);
		cairn_put_u64(ev + 20, (uint64_t)amount);
		cairn_put_u64(ev + 28, (uint64_t)cairn_balance(self.b));
		cairn_emit("funded", ev, sizeof ev);
		return;
	}
	case METHOD_RELEASE: {
		cairn_require_no_value();
		cairn_address arbiter, seller;
		load_address("arbiter", &arbiter);
		if (!cairn_address_eq(&who, &arbiter))
			cairn_abort("only the arbiter can release");
		if (is_closed())
			cairn_abort("escrow is closed");
		load_address("seller", &seller);
		pay_out(&seller, "released");
		return;
	}
	case METHOD_REFUND: {
		cairn_require_no_value();
		if (!cairn_address_eq(&who, &buyer))
			cairn_abort("only the buyer can refund");
		if (is_closed())
			cairn_abort("escrow is closed");
		if ((uint64_t)cairn_block_height() <= cairn_get_u64_at("deadline"))
			cairn_abort("refund only after the deadline height");
		pay_out(&buyer, "refunded");
		return;
	}
	case METHOD_STATE: {
		cairn_require_no_value();
		uint8_t out[77];
		cairn_memcpy(out, buyer.b, 20);
		load_address("seller", (cairn_address *)(out + 20));
		load_address("arbiter", (cairn_address *)(out + 40));
		cairn_put_u64(out + 60, cairn_get_u64_at("deadline"));
		cairn_address self = cairn_get_self();
		cairn_put_u64(out + 68, (uint64_t)cairn_balance(self.b));
		out[76] = (uint8_t)is_closed();
		cairn_set_return(out, sizeof out);
		return;
	}
	default:
		cairn_abort("unknown method");
	}
}
