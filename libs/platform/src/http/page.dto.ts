import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export const PAGE_DEFAULT_LIMIT = 50;
export const PAGE_MAX_LIMIT = 200;

/** The query of every cursor-paginated list: where to resume, and how many. */
export class PageQueryDto {
  @ApiPropertyOptional({
    description: '`nextCursor` of the previous page; absent for the first (newest) page.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: PAGE_MAX_LIMIT,
    default: PAGE_DEFAULT_LIMIT,
    description: 'Items per page.',
  })
  @IsOptional()
  // Query strings are text: the one field converted before validation.
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(PAGE_MAX_LIMIT)
  limit?: number;
}

/** The page a query asks for, its default size filled in. */
export function pageOf(query: PageQueryDto): { cursor?: string; limit: number } {
  return { cursor: query.cursor, limit: query.limit ?? PAGE_DEFAULT_LIMIT };
}
