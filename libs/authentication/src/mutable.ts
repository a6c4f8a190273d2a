/** `T` with its readonly members writable: for objects built member by member, then handed out as `T`. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
