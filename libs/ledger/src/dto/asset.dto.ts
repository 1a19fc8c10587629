import { ApiProperty } from '@nestjs/swagger';

export class AssetDto {
  @ApiProperty({ example: 'XAU', description: 'Asset code, as in amounts and accounts.' })
  code!: string;

  @ApiProperty({
    type: 'integer',
    example: 3,
    description:
      'Decimal places of the minor unit every amount is counted in: "1250" USD (scale 2) is 12.50, "1250" XAU (scale 3) is 1.250 g.',
  })
  scale!: number;

  @ApiProperty({ example: 'Gold, grams', description: 'Display name.' })
  name!: string;
}
