// Fixed-size ring buffer of numbers (Float64Array), oldest first when read.

export class Ring {
  constructor(capacity) {
    this.capacity = capacity;
    this.data = new Float64Array(capacity);
    this.start = 0;
    this.length = 0;
  }

  push(v) {
    const i = (this.start + this.length) % this.capacity;
    this.data[i] = v;
    if (this.length < this.capacity) this.length++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** Value `k` places from the oldest (0) or newest (negative k: -1 is newest). */
  at(k) {
    if (k < 0) k += this.length;
    if (k < 0 || k >= this.length) return undefined;
    return this.data[(this.start + k) % this.capacity];
  }

  last() {
    return this.length ? this.at(-1) : undefined;
  }

  toArray() {
    const out = new Array(this.length);
    for (let k = 0; k < this.length; k++) out[k] = this.data[(this.start + k) % this.capacity];
    return out;
  }

  clear() {
    this.start = 0;
    this.length = 0;
  }
}
