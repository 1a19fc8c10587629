import type { Provider } from '@nestjs/common';
import { APP_CONFIG } from './config.module';
import type { VarSpec } from './config.vars';

export type VarSpecs = Record<string, VarSpec<unknown>>;
export type ValuesOf<V extends VarSpecs> = { [K in keyof V]: ReturnType<V[K]['parse']> };

/**
 * The variables one lib (or app) reads, declared in its own `<name>.config.ts`: the key its
 * settings take in the composed config (`config.mail`), its variables (parsed, documented and
 * deployed like the platform's) and how their values become its typed settings.
 */
export interface ConfigSection<
  K extends string = string,
  T = unknown,
  V extends VarSpecs = VarSpecs,
> {
  readonly key: K;
  readonly vars: V;
  read(values: ValuesOf<V>): T;
  /** Rules across this section's variables, checked once each parsed; one problem per string. */
  check?(values: ValuesOf<V>): string[];
}

// `any` for the variables: a section's `read` only accepts its own values.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyConfigSection = ConfigSection<string, unknown, any>;

/** Declares a section; the identity, so that its key, variables and settings types are inferred. */
export function configSection<K extends string, V extends VarSpecs, T>(
  section: ConfigSection<K, T, V>,
): ConfigSection<K, T, V> {
  return section;
}

/** `{ mail: MailSettings }` for a mail lib's section keyed `mail`. */
export type SectionConfig<S> =
  S extends ConfigSection<infer K, infer T, infer _V> ? { [P in K]: T } : never;

type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
  ? I
  : never;

/** What the platform's config carries once an app composed `Sections`. */
export type SectionsConfig<Sections extends readonly AnyConfigSection[]> = Intersection<
  SectionConfig<Sections[number]>
>;

/**
 * A provider for a lib module's `providers`: it fails the boot, naming the section, when the app
 * did not compose it into its config, instead of a lib meeting `config.<key>` undefined later.
 */
export function requireConfigSection(section: AnyConfigSection): Provider {
  return {
    provide: Symbol(`config section ${section.key}`),
    inject: [APP_CONFIG],
    useFactory: (config: Record<string, unknown>) => {
      if (!(section.key in config)) {
        throw new Error(
          `The "${section.key}" config section is not composed: add it to the app's config sections (loadConfig(env, [...]))`,
        );
      }

      return config[section.key];
    },
  };
}
