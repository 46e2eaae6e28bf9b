import { makeData, makeVector, Table, Field, Schema, Int64, DateDay, Utf8, Int32, Float64, RecordBatch, Struct } from 'apache-arrow';

/**
 * The seed's sales table (`vendas`): id, data_venda, categoria, produto, quantidade,
 * preco_unitario, total. Every row is a pure function of (seed, id), so a table is the
 * same whatever the batch size or file split it was generated with.
 */
export const SALES_SCHEMA = new Schema([
  new Field('id', new Int64(), false),
  new Field('data_venda', new DateDay(), false),
  new Field('categoria', new Utf8(), false),
  new Field('produto', new Utf8(), false),
  new Field('quantidade', new Int32(), false),
  new Field('preco_unitario', new Float64(), false),
  new Field('total', new Float64(), false),
]);

const CATEGORIES: { name: string; products: string[] }[] = [
  { name: 'Eletrônicos', products: ['Smartphone', 'Notebook', 'Fone de Ouvido', 'Monitor', 'Tablet'] },
  { name: 'Roupas', products: ['Camiseta', 'Calça Jeans', 'Jaqueta', 'Vestido', 'Tênis'] },
  { name: 'Alimentos', products: ['Café', 'Arroz', 'Azeite', 'Chocolate', 'Queijo'] },
  { name: 'Livros', products: ['Romance', 'Biografia', 'Ficção Científica', 'Culinária', 'Didático'] },
  { name: 'Casa e Jardim', products: ['Luminária', 'Vaso', 'Jogo de Cama', 'Panela', 'Cadeira'] },
  { name: 'Esportes', products: ['Bola', 'Bicicleta', 'Raquete', 'Halteres', 'Mochila'] },
  { name: 'Brinquedos', products: ['Quebra-cabeça', 'Boneca', 'Carrinho', 'Jogo de Tabuleiro', 'Pelúcia'] },
  { name: 'Beleza', products: ['Perfume', 'Shampoo', 'Hidratante', 'Batom', 'Protetor Solar'] },
];
const MODELS = ['Básico', 'Plus', 'Pro', 'Max', 'Lite', 'Eco', 'Premium', 'Mini'];

interface Product { category: number; name: string; priceCents: number }

/** 8 categories × 5 product lines × 8 models = 320 products, each with a fixed price. */
const PRODUCTS: Product[] = CATEGORIES.flatMap((category, c) =>
  category.products.flatMap((line, l) =>
    MODELS.map((model, m) => ({
      category: c,
      name: `${line} ${model}`,
      // 4.90 .. 2,504.90: deterministic, spread, always whole cents
      priceCents: 490 + (mix32(c * 1000 + l * 10 + m) % 250_000),
    }))));

/** Days from 2023-01-01 to 2024-12-31 inclusive. */
const FIRST_DAY = Date.UTC(2023, 0, 1) / 86_400_000;
const DAY_SPAN = 731;

/** A 32-bit integer hash (murmur3's finaliser): fast, well mixed. */
function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Rows with ids firstId .. firstId+count-1 of the table seeded by `seed`. */
export function generateSalesBatch(seed: number, firstId: number, count: number): Table {
  const id = new BigInt64Array(count);
  const dates = new Int32Array(count);
  const quantities = new Int32Array(count);
  const prices = new Float64Array(count);
  const totals = new Float64Array(count);
  const productIndex = new Uint16Array(count);
  const seedMix = mix32(seed ^ 0x9e3779b9);
  for (let i = 0; i < count; i++) {
    const rowId = firstId + i;
    const h1 = mix32(rowId ^ seedMix);
    const h2 = mix32(h1 + 0x632be5ab);
    const product = PRODUCTS[h1 % PRODUCTS.length]!;
    const quantity = 1 + (h2 % 10);
    id[i] = BigInt(rowId);
    dates[i] = FIRST_DAY + ((h2 >>> 8) % DAY_SPAN);
    quantities[i] = quantity;
    prices[i] = product.priceCents / 100;
    // total = quantidade × preco_unitario, exact to the cent: computed in integer cents.
    totals[i] = (quantity * product.priceCents) / 100;
    productIndex[i] = h1 % PRODUCTS.length;
  }
  const categories = utf8Vector(productIndex, (p) => CATEGORIES[PRODUCTS[p]!.category]!.name);
  const products = utf8Vector(productIndex, (p) => PRODUCTS[p]!.name);
  const children = [
    makeData({ type: new Int64(), data: id }),
    makeData({ type: new DateDay(), data: dates }),
    categories,
    products,
    makeData({ type: new Int32(), data: quantities }),
    makeData({ type: new Float64(), data: prices }),
    makeData({ type: new Float64(), data: totals }),
  ];
  const struct = makeData({ type: new Struct(SALES_SCHEMA.fields), length: count, nullCount: 0, children });
  return new Table(SALES_SCHEMA, [new RecordBatch(SALES_SCHEMA, struct)]);
}

const encoder = new TextEncoder();

/** Builds a Utf8 column from a small dictionary of strings without per-row allocations. */
function utf8Vector(indexes: Uint16Array, name: (index: number) => string) {
  const cache = new Map<number, Uint8Array>();
  let bytes = 0;
  for (const index of indexes) {
    let encoded = cache.get(index);
    if (!encoded) { encoded = encoder.encode(name(index)); cache.set(index, encoded); }
    bytes += encoded.length;
  }
  const valueOffsets = new Int32Array(indexes.length + 1);
  const data = new Uint8Array(bytes);
  let at = 0;
  for (let i = 0; i < indexes.length; i++) {
    const encoded = cache.get(indexes[i]!)!;
    data.set(encoded, at);
    at += encoded.length;
    valueOffsets[i + 1] = at;
  }
  return makeData({ type: new Utf8(), data, valueOffsets });
}

/** Batches covering rows 1..rows, each at most batchRows long. */
export function* salesBatches(seed: number, rows: number, batchRows: number, firstId = 1): Generator<Table> {
  for (let start = 0; start < rows; start += batchRows) {
    yield generateSalesBatch(seed, firstId + start, Math.min(batchRows, rows - start));
  }
}

export const _test = { PRODUCTS, CATEGORIES, mix32, makeVector };
