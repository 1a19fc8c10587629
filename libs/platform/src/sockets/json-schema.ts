/**
 * The JSON Schema (2020-12 subset) that can describe a TypeScript type `T`, as a type: a schema
 * declared `satisfies JsonSchemaOf<T>` stops compiling when `T` gains, loses or renames a field
 * or changes a field's kind. That keeps the AsyncAPI document (built from such schemas at run
 * time, where types no longer exist) tied to the TypeScript contract the code is checked against.
 * A Date is its JSON form (an ISO string); a string-keyed record is an open object.
 */
export type JsonSchemaOf<T> = Documented &
  ([T] extends [boolean]
    ? boolean extends T
      ? { type: 'boolean' }
      : { const: T }
    : [T] extends [string]
      ? string extends T
        ? { type: 'string'; pattern?: string; examples?: readonly string[] }
        : { type: 'string'; enum: readonly T[] }
      : [T] extends [number]
        ? { type: 'integer' | 'number'; minimum?: number; examples?: readonly number[] }
        : [T] extends [null]
          ? { type: 'null' }
          : [T] extends [Date]
            ? { type: 'string'; format: 'date-time' }
            : IsUnion<T> extends true
              ? { oneOf: readonly EachSchema<T>[] }
              : [T] extends [readonly (infer U)[]]
                ? { type: 'array'; items: JsonSchemaOf<U>; maxItems?: number }
                : [T] extends [object]
                  ? string extends keyof T
                    ? { type: 'object'; additionalProperties: true }
                    : {
                        type: 'object';
                        properties: { [K in keyof T]-?: JsonSchemaOf<Exclude<T[K], undefined>> };
                        required: readonly (keyof T)[];
                        additionalProperties?: false;
                      }
                  : never);

interface Documented {
  title?: string;
  description?: string;
}

type EachSchema<T> = T extends unknown ? JsonSchemaOf<T> : never;

type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never;
