/**
 * The simulator's catalogue, generated: 44 countries, three operators each, three fixed-value
 * products per operator priced in USD. Deterministic, so ids are the same on every start.
 */
export interface SimCountry {
  iso2: string;
  iso3: string;
  name: string;
  currency: string;
  /** Units of `currency` per USD. */
  perUsd: number;
}

export interface SimOperator {
  id: number;
  name: string;
  country: SimCountry;
}

export interface SimProduct {
  id: number;
  name: string;
  operator: SimOperator;
  /** What the sender pays, in USD. */
  usd: number;
  /** What we pay the aggregator for it, in USD. */
  wholesale: number;
  /** What the phone receives, in the country's currency. */
  destination: number;
}

const COUNTRIES: SimCountry[] = (
  [
    ['MX', 'MEX', 'Mexico', 'MXN', 17.1],
    ['GT', 'GTM', 'Guatemala', 'GTQ', 7.8],
    ['SV', 'SLV', 'El Salvador', 'USD', 1],
    ['HN', 'HND', 'Honduras', 'HNL', 24.7],
    ['NI', 'NIC', 'Nicaragua', 'NIO', 36.6],
    ['CR', 'CRI', 'Costa Rica', 'CRC', 520],
    ['PA', 'PAN', 'Panama', 'USD', 1],
    ['CO', 'COL', 'Colombia', 'COP', 3950],
    ['PE', 'PER', 'Peru', 'PEN', 3.75],
    ['EC', 'ECU', 'Ecuador', 'USD', 1],
    ['BO', 'BOL', 'Bolivia', 'BOB', 6.9],
    ['BR', 'BRA', 'Brazil', 'BRL', 5],
    ['AR', 'ARG', 'Argentina', 'ARS', 900],
    ['CL', 'CHL', 'Chile', 'CLP', 930],
    ['DO', 'DOM', 'Dominican Republic', 'DOP', 59],
    ['HT', 'HTI', 'Haiti', 'HTG', 132],
    ['JM', 'JAM', 'Jamaica', 'JMD', 156],
    ['CU', 'CUB', 'Cuba', 'CUP', 24],
    ['PH', 'PHL', 'Philippines', 'PHP', 56],
    ['IN', 'IND', 'India', 'INR', 83],
    ['PK', 'PAK', 'Pakistan', 'PKR', 280],
    ['BD', 'BGD', 'Bangladesh', 'BDT', 110],
    ['NP', 'NPL', 'Nepal', 'NPR', 133],
    ['LK', 'LKA', 'Sri Lanka', 'LKR', 300],
    ['ID', 'IDN', 'Indonesia', 'IDR', 15700],
    ['VN', 'VNM', 'Vietnam', 'VND', 24500],
    ['TH', 'THA', 'Thailand', 'THB', 35],
    ['MY', 'MYS', 'Malaysia', 'MYR', 4.6],
    ['CN', 'CHN', 'China', 'CNY', 7.2],
    ['NG', 'NGA', 'Nigeria', 'NGN', 1500],
    ['GH', 'GHA', 'Ghana', 'GHS', 12],
    ['KE', 'KEN', 'Kenya', 'KES', 130],
    ['UG', 'UGA', 'Uganda', 'UGX', 3800],
    ['TZ', 'TZA', 'Tanzania', 'TZS', 2500],
    ['ET', 'ETH', 'Ethiopia', 'ETB', 56],
    ['SN', 'SEN', 'Senegal', 'XOF', 600],
    ['CI', 'CIV', "Côte d'Ivoire", 'XOF', 600],
    ['CM', 'CMR', 'Cameroon', 'XAF', 600],
    ['MA', 'MAR', 'Morocco', 'MAD', 10],
    ['EG', 'EGY', 'Egypt', 'EGP', 48],
    ['TR', 'TUR', 'Turkey', 'TRY', 32],
    ['UA', 'UKR', 'Ukraine', 'UAH', 39],
    ['RO', 'ROU', 'Romania', 'RON', 4.6],
    ['PL', 'POL', 'Poland', 'PLN', 4],
  ] as const
).map(([iso2, iso3, name, currency, perUsd]) => ({ iso2, iso3, name, currency, perUsd }));

const BRANDS = ['Movil', 'Tele', 'Connect', 'Link', 'Wave', 'Sky', 'Net', 'Star', 'Voz'];
const FACE_VALUES_USD = [5, 10, 20];
/** The aggregator's discount on the face value: our cost. */
const WHOLESALE_RATE = 0.95;

const round2 = (n: number): number => Math.round(n * 100) / 100;

export interface Catalogue {
  countries: SimCountry[];
  operators: SimOperator[];
  products: SimProduct[];
}

export function generateCatalogue(): Catalogue {
  const operators: SimOperator[] = [];
  const products: SimProduct[] = [];
  COUNTRIES.forEach((country, c) => {
    for (let o = 0; o < 3; o += 1) {
      const operator: SimOperator = {
        id: 1000 + c * 10 + o,
        name: `${BRANDS[(c + o * 4) % BRANDS.length]} ${country.name}`,
        country,
      };
      operators.push(operator);
      FACE_VALUES_USD.forEach((usd, p) => {
        const destination = round2(usd * country.perUsd);
        products.push({
          id: operator.id * 10 + p,
          name: `${destination} ${country.currency}`,
          operator,
          usd,
          wholesale: round2(usd * WHOLESALE_RATE),
          destination,
        });
      });
    }
  });

  return { countries: COUNTRIES, operators, products };
}
