// Turns a parsed filter_query into SQL over the lab's MLMD tables. Like MLMD's
// ml_metadata/query/filter_query_builder.cc, every mentioned property and every `contexts_<alias>`
// becomes an inner JOIN, so a node lacking a mentioned property (or any context) never matches,
// even under OR or IS NULL — the same rows a real metadata-grpc-service returns.
import type { NodeKind } from '../node-kinds.js';
import { type ColumnPath, type FilterExpr, FilterQueryError, type Literal } from './parse.js';

type ColumnType = 'int' | 'double' | 'string' | 'bool' | { readonly enumValues: readonly string[] };

interface Resolved {
  readonly sql: string;
  readonly type: ColumnType;
}

export interface CompiledFilter {
  /** JOIN clauses against the node table aliased `n`. */
  readonly joins: string;
  readonly joinParams: unknown[];
  readonly where: string;
  readonly whereParams: unknown[];
}

const VALUE_COLUMNS: Record<string, ColumnType> = {
  int_value: 'int',
  double_value: 'double',
  string_value: 'string',
  bool_value: 'bool',
};

const CONTEXT_NEIGHBOUR_COLUMNS: Record<string, ColumnType> = {
  id: 'int',
  name: 'string',
  type: 'string',
  create_time_since_epoch: 'int',
  last_update_time_since_epoch: 'int',
};

class Compiler {
  private readonly joins: string[] = [];
  private readonly joinParams: unknown[] = [];
  private readonly aliases = new Map<string, string>();

  constructor(private readonly kind: NodeKind) {}

  private alias(key: string, build: (alias: string) => void): string {
    const existing = this.aliases.get(key);
    if (existing) return existing;
    const alias = `f${this.aliases.size + 1}`;
    this.aliases.set(key, alias);
    build(alias);
    return alias;
  }

  private attribute(name: string): Resolved | undefined {
    switch (name) {
      case 'id':
      case 'type_id':
      case 'create_time_since_epoch':
      case 'last_update_time_since_epoch':
        return { sql: `n.${name}`, type: 'int' };
      case 'name':
      case 'external_id':
        return { sql: `n.${name}`, type: 'string' };
      case 'uri':
        return this.kind.table === 'Artifact' ? { sql: 'n.uri', type: 'string' } : undefined;
      case 'type': {
        const alias = this.alias('type', (a) => this.joins.push(`JOIN Type AS ${a} ON n.type_id = ${a}.id`));
        return { sql: `${alias}.name`, type: 'string' };
      }
      default:
        if (this.kind.state && name === this.kind.state.column) {
          return { sql: `n.${name}`, type: { enumValues: this.kind.state.values } };
        }
        return undefined;
    }
  }

  private property(prefix: string, name: string, member: string): Resolved | undefined {
    const type = VALUE_COLUMNS[member];
    if (!type) return undefined;
    const custom = prefix === 'custom_properties';
    const alias = this.alias(`${prefix}\u0000${name}`, (a) => {
      this.joins.push(
        `JOIN (SELECT ${this.kind.idColumn} AS node_id, int_value, double_value, string_value, bool_value
           FROM ${this.kind.propertyTable} WHERE name = ? AND is_custom_property = ?) AS ${a} ON n.id = ${a}.node_id`,
      );
      this.joinParams.push(name, custom ? 1 : 0);
    });
    return { sql: `${alias}.${member}`, type };
  }

  private contextNeighbour(aliasName: string, member: string): Resolved | undefined {
    const type = CONTEXT_NEIGHBOUR_COLUMNS[member];
    if (!type || this.kind.table === 'Context') return undefined;
    const link = this.kind.table === 'Artifact' ? 'Attribution' : 'Association';
    const alias = this.alias(`context\u0000${aliasName}`, (a) =>
      this.joins.push(
        `JOIN (SELECT c.id AS id, c.name AS name, ct.name AS type,
             c.create_time_since_epoch AS create_time_since_epoch,
             c.last_update_time_since_epoch AS last_update_time_since_epoch, l.${this.kind.idColumn} AS node_id
           FROM Context AS c JOIN Type AS ct ON c.type_id = ct.id JOIN ${link} AS l ON c.id = l.context_id)
         AS ${a} ON n.id = ${a}.node_id`,
      ),
    );
    return { sql: `${alias}.${member}`, type };
  }

  private column(path: ColumnPath): Resolved {
    let resolved: Resolved | undefined;
    const [first, second, third] = path;
    if (path.length === 1 && first !== undefined) resolved = this.attribute(first);
    else if (path.length === 3 && (first === 'properties' || first === 'custom_properties')) {
      resolved = this.property(first, second as string, third as string);
    } else if (path.length === 2 && first !== undefined && /^contexts_[A-Za-z0-9_]+$/.test(first)) {
      resolved = this.contextNeighbour(first, second as string);
    }
    if (!resolved) {
      throw new FilterQueryError(`'${path.join('.')}' is not a supported ${this.kind.label} field`);
    }
    return resolved;
  }

  private literal(column: ColumnPath, type: ColumnType, value: Literal): unknown {
    const where = `'${column.join('.')}'`;
    if (typeof type === 'object') {
      if (value.kind !== 'enum' || !type.enumValues.includes(value.name)) {
        throw new FilterQueryError(`${where} compares with a bare state name (one of ${type.enumValues.join(', ')})`);
      }
      return type.enumValues.indexOf(value.name);
    }
    if ((type === 'int' || type === 'double') && value.kind === 'number') return value.value;
    if (type === 'string' && value.kind === 'string') return value.value;
    if (type === 'bool' && value.kind === 'bool') return value.value ? 1 : 0;
    throw new FilterQueryError(`${where} is a ${type} field and cannot be compared with ${describe(value)}`);
  }

  expr(node: FilterExpr, params: unknown[]): string {
    switch (node.kind) {
      case 'and':
      case 'or':
        return `(${this.expr(node.left, params)} ${node.kind.toUpperCase()} ${this.expr(node.right, params)})`;
      case 'not':
        return `(NOT ${this.expr(node.expr, params)})`;
      case 'compare': {
        const column = this.column(node.column);
        params.push(this.literal(node.column, column.type, node.value));
        return `(${column.sql} ${node.op} ?)`;
      }
      case 'in': {
        const column = this.column(node.column);
        for (const value of node.values) params.push(this.literal(node.column, column.type, value));
        return `(${column.sql} ${node.negated ? 'NOT IN' : 'IN'} (${node.values.map(() => '?').join(', ')}))`;
      }
      case 'like': {
        const column = this.column(node.column);
        if (column.type !== 'string')
          throw new FilterQueryError(`LIKE needs a string field, not '${node.column.join('.')}'`);
        params.push(node.pattern);
        return `(${column.sql} ${node.negated ? 'NOT LIKE' : 'LIKE'} ?)`;
      }
      case 'null':
        return `(${this.column(node.column).sql} IS ${node.negated ? 'NOT NULL' : 'NULL'})`;
    }
  }

  compile(filter: FilterExpr): CompiledFilter {
    const whereParams: unknown[] = [];
    const where = this.expr(filter, whereParams);
    return { joins: this.joins.join('\n'), joinParams: this.joinParams, where, whereParams };
  }
}

function describe(value: Literal): string {
  switch (value.kind) {
    case 'string':
      return `a string`;
    case 'number':
      return `a number`;
    case 'bool':
      return `a boolean`;
    case 'enum':
      return `the bare name ${value.name}`;
  }
}

export function compileFilter(kind: NodeKind, filter: FilterExpr): CompiledFilter {
  return new Compiler(kind).compile(filter);
}
