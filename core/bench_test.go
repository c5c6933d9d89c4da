package core

import "testing"

func BenchmarkTxEncode(b *testing.B) {
	tx := testTx(1, 5)
	buf := make([]byte, 0, MaxTxSize)
	b.ReportAllocs()
	for b.Loop() {
		buf = tx.AppendEncode(buf[:0])
	}
}

func BenchmarkTxDecode(b *testing.B) {
	enc := testTx(1, 5).Encode()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeTx(enc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTxID(b *testing.B) {
	tx := testTx(1, 5)
	b.ReportAllocs()
	for b.Loop() {
		tx.ID()
	}
}

func blockOf(n int) *Block {
	blk := &Block{Header: Header{Version: 1, Height: 9}}
	tx := testTx(1, 0)
	for i := 0; i < n; i++ {
		t := *tx
		t.Nonce = uint64(i)
		blk.Txs = append(blk.Txs, &t)
	}
	return blk
}

func BenchmarkBlockEncode1000(b *testing.B) {
	blk := blockOf(1000)
	b.ReportAllocs()
	for b.Loop() {
		blk.Encode()
	}
}

func BenchmarkBlockDecode1000(b *testing.B) {
	enc := blockOf(1000).Encode()
	b.ReportAllocs()
	b.SetBytes(int64(len(enc)))
	for b.Loop() {
		if _, err := DecodeBlock(enc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMerkleRoot1000(b *testing.B) {
	ids := blockOf(1000).TxIDs()
	b.ReportAllocs()
	for b.Loop() {
		MerkleRoot(ids)
	}
}
