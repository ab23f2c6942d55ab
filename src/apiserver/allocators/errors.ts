// Allocator errors with upstream's exact texts (pkg/registry/core/service/ipallocator and
// portallocator); alloc.ts wraps them into field errors the way alloc.go does.

export class AllocatorError extends Error {
  constructor(
    readonly reason: 'Full' | 'Allocated' | 'NotInRange',
    message: string,
  ) {
    super(message);
    this.name = 'AllocatorError';
  }
}

export const ipErrors = {
  full: () => new AllocatorError('Full', 'range is full'),
  allocated: () => new AllocatorError('Allocated', 'provided IP is already allocated'),
  notInRange: (ip: string, validRange: string) =>
    new AllocatorError(
      'NotInRange',
      `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${validRange}`,
    ),
};

export const portErrors = {
  full: () => new AllocatorError('Full', 'range is full'),
  allocated: () => new AllocatorError('Allocated', 'provided port is already allocated'),
  notInRange: (validPorts: string) =>
    new AllocatorError(
      'NotInRange',
      `provided port is not in the valid range. The range of valid ports is ${validPorts}`,
    ),
};
