'use strict';
// An upload handler keeps every chunk it receives "for retries" in a module-level array.
const receivedChunks = [];

function receiveChunk(seq) {
  const chunk = Buffer.alloc(4096);
  chunk.writeUInt32BE(seq, 0);
  receivedChunks.push(chunk);
  return chunk.length;
}

let seq = 0;

function step() {
  return receiveChunk(seq++);
}

module.exports = { step };
