export function bumpFirst(view: Int32Array): void {
  view[0] = view[0]! + 1;
}
