// Registry of the value classes' prototypes, so toVal recognizes a value without importing every class.

const PROTOS = new Set<unknown>();

/** Record a value class; each kind module registers its class once at load. */
export function registerValueClass(cls: { readonly prototype: unknown }): void {
  PROTOS.add(cls.prototype);
}

/** True if `x` is an instance of a registered value class (an exact prototype check: look-alikes fail). */
export function isValueObject(x: object): boolean {
  return PROTOS.has(Object.getPrototypeOf(x));
}
