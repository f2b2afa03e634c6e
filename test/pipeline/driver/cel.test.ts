import { describe, expect, it } from 'vitest';
import {
  CelError,
  evaluateCondition,
  NotEmulatedError,
  selectParameter,
} from '../../../src/pipeline/driver/cel/index.js';

const cond = (expr: string, params: Record<string, unknown> = {}) =>
  evaluateCondition(expr, params as Parameters<typeof evaluateCondition>[1]);

describe('CEL conditions as KFP compiles them', () => {
  it('compares a string parameter with a string literal', () => {
    expect(cond("inputs.parameter_values['coin'] == 'heads'", { coin: 'heads' })).toBe(true);
    expect(cond("inputs.parameter_values['coin'] == 'heads'", { coin: 'tails' })).toBe(false);
  });

  it('converts an integer parameter with int() before an ordering comparison', () => {
    expect(cond("int(inputs.parameter_values['n']) > 5", { n: 7 })).toBe(true);
    expect(cond("int(inputs.parameter_values['n']) <= 5", { n: 7 })).toBe(false);
    expect(cond("int(inputs.parameter_values['n']) >= 7", { n: 7.9 })).toBe(true);
  });

  it('negates a parenthesised comparison with !', () => {
    expect(cond("!(inputs.parameter_values['coin'] == 'heads')", { coin: 'tails' })).toBe(true);
  });

  it('joins comparisons with && and ||', () => {
    const p = { a: 1, b: 'x' };
    expect(cond("inputs.parameter_values['a'] == 1 && inputs.parameter_values['b'] == 'x'", p)).toBe(true);
    expect(cond("inputs.parameter_values['a'] == 2 || inputs.parameter_values['b'] != 'x'", p)).toBe(false);
  });

  it('compares a double parameter with an int literal by value, as heterogeneous equality does', () => {
    expect(cond("inputs.parameter_values['a'] == 1", { a: 1 })).toBe(true);
    expect(cond("inputs.parameter_values['a'] < 2", { a: 1.5 })).toBe(true);
  });

  it('treats values of different kinds as unequal rather than failing', () => {
    expect(cond("inputs.parameter_values['a'] == '1'", { a: 1 })).toBe(false);
    expect(cond("inputs.parameter_values['a'] != '1'", { a: 1 })).toBe(true);
  });

  it('compares booleans and double() conversions', () => {
    expect(cond("inputs.parameter_values['flag'] == true", { flag: true })).toBe(true);
    expect(cond("double(int(inputs.parameter_values['n'])) > 1.5", { n: 2 })).toBe(true);
    expect(cond("inputs.parameter_values['x'] > 1e-07", { x: 0.001 })).toBe(true);
  });

  it('formats string(double) as Go %g and string(int) in decimal', () => {
    expect(cond("string(inputs.parameter_values['x']) == '1e+06'", { x: 1e6 })).toBe(true);
    expect(cond("string(inputs.parameter_values['x']) == '123456'", { x: 123456 })).toBe(true);
    expect(cond("string(int(inputs.parameter_values['x'])) == '3'", { x: 3.7 })).toBe(true);
  });

  it('parses JSON text and indexes maps and lists', () => {
    const p = { s: '{"a": [10, {"b": "yes"}]}' };
    expect(cond("parseJson(inputs.parameter_values['s'])['a'][1]['b'] == 'yes'", p)).toBe(true);
    expect(cond("parseJson(inputs.parameter_values['s']).a[0] == 10", p)).toBe(true);
  });

  it('reads int() of a numeric string and double() of a decimal string', () => {
    expect(cond("int(inputs.parameter_values['s']) == 42", { s: '42' })).toBe(true);
    expect(cond("double(inputs.parameter_values['s']) == 0.5", { s: '0.5' })).toBe(true);
  });

  it('fails the task on a missing parameter, as cel-go reports no such key', () => {
    expect(() => cond("inputs.parameter_values['nope'] == 'x'", {})).toThrow(CelError);
  });

  it('lets the decisive side of && absorb an error on the other side', () => {
    expect(cond("inputs.parameter_values['nope'] == 'x' && false", {})).toBe(false);
    expect(cond("true || inputs.parameter_values['nope'] == 'x'", {})).toBe(true);
    expect(() => cond("inputs.parameter_values['nope'] == 'x' && true", {})).toThrow(CelError);
  });

  it('fails on int() of a non-integer string, as strconv.ParseInt does', () => {
    expect(() => cond("int(inputs.parameter_values['s']) == 1", { s: '1.5' })).toThrow(/cannot convert/);
  });

  it('fails when literals of different types meet, as the checker finds no overload', () => {
    expect(() => cond('1 == 1.0')).toThrow(/no matching overload/);
    expect(() => cond("int(inputs.parameter_values['n']) < 1.5", { n: 1 })).toThrow(/no matching overload/);
  });

  it('fails when the result is not a bool', () => {
    expect(() => cond("inputs.parameter_values['n']", { n: 1 })).toThrow(/not bool/);
  });

  it('fails on syntax that is not CEL', () => {
    expect(() => cond("inputs.parameter_values['a'] ==")).toThrow(CelError);
    expect(() => cond('a # b')).toThrow(CelError);
    expect(() => cond('undeclared == 1')).toThrow(/undeclared reference/);
  });
});

describe('CEL beyond the emulated subset', () => {
  const refused = [
    "inputs.parameter_values['a'] + 1 == 2",
    "size(inputs.parameter_values['a']) == 1",
    "inputs.parameter_values['a'].startsWith('x')",
    'has(inputs.parameter_values.a)',
    "inputs.parameter_values['a'] in ['x']",
    "inputs.parameter_values['a'] == 1 ? true : false",
    "inputs.parameter_values['a'] == 1u",
    "inputs.parameter_values['a'] == r'x'",
    "inputs.parameter_values['a'] == b'x'",
    "inputs.parameter_values['a'] == '''x'''",
    '[1, 2][0] == 1',
    "{'a': 1}['a'] == 1",
    "inputs.parameters['a'] == 'x'",
    "outputs.parameters['a'] == 'x'",
    "(inputs.parameter_values['a'] * 2) == 2",
  ];
  for (const expr of refused) {
    it(`refuses ${expr} with NotEmulatedError`, () => {
      expect(() => cond(expr, { a: 1 })).toThrow(NotEmulatedError);
      expect(() => cond(expr, { a: 1 })).toThrow(/^not emulated: /);
    });
  }
});

describe('CEL parameter expression selectors', () => {
  it('picks a field of a struct loop item through parseJson(string_value)', () => {
    expect(selectParameter({ A_a: '1', B_b: '2' }, 'parseJson(string_value)["A_a"]')).toBe('1');
  });

  it('reads a JSON string item the same way', () => {
    expect(selectParameter('{"A_a": 10}', 'parseJson(string_value)["A_a"]')).toBe(10);
  });

  it('binds the set member of the value, such as struct_value', () => {
    expect(selectParameter({ a: [1, 2] }, 'struct_value["a"]')).toEqual([1, 2]);
    expect(() => selectParameter('x', 'struct_value["a"]')).toThrow(/no such attribute/);
  });

  it('returns ints from int() as numbers', () => {
    expect(selectParameter('7', 'int(string_value)')).toBe(7);
  });

  it('fails on a missing key', () => {
    expect(() => selectParameter({ a: 1 }, 'parseJson(string_value)["b"]')).toThrow(CelError);
  });
});
