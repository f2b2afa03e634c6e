// Minimal discovery documents (apimachinery/pkg/apis/meta/v1 `APIVersions`, `APIGroupList`,
// `APIGroup`, `APIResourceList`) and `/version`, listing only what the lab serves.
import { GROUP, RESOURCE } from './status.js';

const groupVersion = { groupVersion: `${GROUP}/v1`, version: 'v1' };

export const version = {
  major: '1',
  minor: '34',
  gitVersion: 'v1.34.0-split-pipelines-lab',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.24',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export const coreVersions = {
  kind: 'APIVersions',
  versions: ['v1'],
  serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }],
};

export const coordinationGroup = {
  kind: 'APIGroup',
  apiVersion: 'v1',
  name: GROUP,
  versions: [groupVersion],
  preferredVersion: groupVersion,
};

export const groupList = {
  kind: 'APIGroupList',
  apiVersion: 'v1',
  groups: [{ name: GROUP, versions: [groupVersion], preferredVersion: groupVersion }],
};

export const coordinationResources = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: `${GROUP}/v1`,
  resources: [
    {
      name: RESOURCE,
      singularName: 'lease',
      namespaced: true,
      kind: 'Lease',
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'],
    },
  ],
};
