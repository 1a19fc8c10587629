// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
const entities = new Set<Function>();

/** Called by DatabaseModule.forFeature while modules are declared, before the DataSource opens. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function registerEntities(list: Function[]): void {
  list.forEach((entity) => entities.add(entity));
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function registeredEntities(): Function[] {
  return [...entities];
}
