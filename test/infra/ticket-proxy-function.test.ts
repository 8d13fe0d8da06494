import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import {
  TicketProxyFunction,
  type TicketProxyFunctionProps,
} from '../../infra/constructs/ticket-proxy-function.ts';
import { CDK_JSON_CONTEXT } from './template-queries.ts';

const make = (props: Partial<TicketProxyFunctionProps>) =>
  new TicketProxyFunction(
    new Stack(new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } }), 'S'),
    'F',
    { entry: 'functions/retention-sweep.ts', failuresGoTo: 'nowhere', ...props },
  );

describe('TicketProxyFunction', () => {
  it('refuses a file name that is a path, or not a plain name', () => {
    for (const name of ['../tenants.json', 'config/tenants.json', '.', 'ten ants.json']) {
      expect(() => make({ files: { [name]: '{}' } })).toThrow(`files: ${name} is not a file name`);
    }
    expect(() => make({ files: { 'tenants.json': '{}' } })).not.toThrow();
  });

  it('refuses files larger together than bundling’s command line takes, saying how large', () => {
    const half = 'x'.repeat(50_000);
    expect(() => make({ files: { 'a.json': half } })).not.toThrow();
    expect(() => make({ files: { 'a.json': half, 'b.json': half } })).toThrow(
      /files: a\.json, b\.json would be 100000 bytes, but bundling's command line takes at most 90000/,
    );
  });

  it('refuses assets outside the repository', () => {
    expect(() => make({ assets: { from: '../etc', to: 'assets' } })).toThrow(
      'assets: ../etc is not a relative directory path',
    );
    expect(() => make({ assets: { from: 'no/such/dir', to: 'assets' } })).toThrow(
      'assets: no/such/dir is not a directory of the repository',
    );
  });
});
