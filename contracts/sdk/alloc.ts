// The SDK's memory allocator: AssemblyScript's "stub" runtime (a bump
// allocator that never frees; std/assembly/rt/stub.ts of assemblyscript
// 0.28.20, Apache-2.0) with these changes: the heap offset starts at 0 and is
// set to the heap's start on first use; and it grows memory by exactly the
// pages needed, with fewer instructions on the common path (gas).
//
// Why: the stub initialises its offset from __heap_base in a global
// initialiser, which AssemblyScript can only run in a start function, and
// Cairn forbids start functions. build.sh points the runtime's entry
// points here with `--use __alloc=sdk/alloc/alloc ...` (see ASC_FLAGS in
// build.sh), so the stub's own functions, and its start function, are
// never compiled. Every call starts from the module's initial globals, so
// the heap starts afresh on every call.

import { AL_MASK, OBJECT, OBJECT_OVERHEAD, BLOCK_MAXSIZE, BLOCK_OVERHEAD, BLOCK, OBJECT_MAXSIZE } from "rt/common";

// @ts-ignore: decorator
@inline function heapStart(): usize {
  return ((__heap_base + BLOCK_OVERHEAD + AL_MASK) & ~AL_MASK) - BLOCK_OVERHEAD;
}

// 0 until the first allocation of the call.
let offset: usize = 0;

// Grows memory to cover `end`. Unlike the stub, it asks for exactly the
// pages needed: memory.grow costs gas per page asked for.
function growTo(end: usize): void {
  let pages = <i32>((end + 0xffff) >>> 16) - memory.size();
  if (memory.grow(pages) < 0) unreachable(); // out of memory (16 pages at most)
}

// @ts-ignore: decorator
@inline function computeSize(size: usize): usize {
  return ((size + BLOCK_OVERHEAD + AL_MASK) & ~AL_MASK) - BLOCK_OVERHEAD;
}

// @ts-ignore: decorator
@unsafe
export function alloc(size: usize): usize {
  if (size > BLOCK_MAXSIZE) unreachable(); // allocation too large
  let block = offset;
  if (block == 0) block = heapStart();
  let ptr = block + BLOCK_OVERHEAD;
  let end = ptr + computeSize(size);
  if (end > (<usize>memory.size() << 16)) growTo(end);
  changetype<BLOCK>(block).mmInfo = end - ptr;
  offset = end;
  return ptr;
}

// @ts-ignore: decorator
@unsafe
export function realloc(ptr: usize, size: usize): usize {
  let block = changetype<BLOCK>(ptr - BLOCK_OVERHEAD);
  let actualSize = block.mmInfo;
  let isLast = ptr + actualSize == offset;
  let payloadSize = computeSize(size);
  if (size > actualSize) {
    if (isLast) { // last block: grow
      if (size > BLOCK_MAXSIZE) unreachable();
      let end = ptr + payloadSize;
      if (end > (<usize>memory.size() << 16)) growTo(end);
      offset = end;
      block.mmInfo = payloadSize;
    } else { // copy to new block at least double the size
      let newPtr = alloc(max<usize>(payloadSize, actualSize << 1));
      memory.copy(newPtr, ptr, actualSize);
      ptr = newPtr;
    }
  } else if (isLast) { // last block: shrink
    offset = ptr + payloadSize;
    block.mmInfo = payloadSize;
  }
  return ptr;
}

// @ts-ignore: decorator
@unsafe
export function free(ptr: usize): void {
  let block = changetype<BLOCK>(ptr - BLOCK_OVERHEAD);
  if (ptr + block.mmInfo == offset) { // last block: discard
    offset = changetype<usize>(block);
  }
}

// @ts-ignore: decorator
@unsafe
export function reset(): void {
  offset = heapStart();
}

// The object header's gcInfo fields are left as they are: only a
// garbage-collecting runtime reads them.

// @ts-ignore: decorator
@unsafe
export function newObject(size: usize, id: u32): usize {
  if (size > OBJECT_MAXSIZE) unreachable(); // allocation too large
  let ptr = alloc(OBJECT_OVERHEAD + size);
  let object = changetype<OBJECT>(ptr - BLOCK_OVERHEAD);
  object.rtId = id;
  object.rtSize = <u32>size;
  return ptr + OBJECT_OVERHEAD;
}

// @ts-ignore: decorator
@unsafe
export function renewObject(oldPtr: usize, size: usize): usize {
  if (size > OBJECT_MAXSIZE) unreachable(); // allocation too large
  let newPtr = realloc(oldPtr - OBJECT_OVERHEAD, OBJECT_OVERHEAD + size);
  changetype<OBJECT>(newPtr - BLOCK_OVERHEAD).rtSize = <u32>size;
  return newPtr + OBJECT_OVERHEAD;
}
