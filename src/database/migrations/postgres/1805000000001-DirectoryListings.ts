import { DirectoryListings1805000000000 } from '../1805000000000-DirectoryListings';

/** A listing's customers, as on SQLite (../1805000000000-DirectoryListings.ts), in PostgreSQL's types. */
export class DirectoryListings1805000000001 extends DirectoryListings1805000000000 {
  override name = 'DirectoryListings1805000000001';
  protected override readonly types = {
    text: (length: number) => `character varying(${length}) COLLATE "C"`,
    epochMs: 'bigint',
  };
}
