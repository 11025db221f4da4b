import { callFailed, degenerateReply, describeAwsError, isNotFound } from './eks-errors';

function awsError(name: string, message: string, status?: number): Error {
  const e = new Error(message);
  e.name = name;
  if (status !== undefined) Object.assign(e, { $metadata: { httpStatusCode: status } });
  return e;
}

describe('describeAwsError', () => {
  it.each([
    [awsError('ServerException', 'internal'), 'ServerException: internal', false],
    [
      awsError('AccessDeniedException', 'User: arn:x is not authorized'),
      'AccessDeniedException: User: arn:x is not authorized',
      true,
    ],
    [
      awsError('AccessDenied', 'not authorized to perform: sts:AssumeRole'),
      'AccessDenied: not authorized to perform: sts:AssumeRole',
      true,
    ],
    [
      awsError(
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      ),
      'UnrecognizedClientException: The security token included in the request is invalid.',
      true,
    ],
    [
      awsError('SyntaxError', 'Unexpected end of JSON input\n  Deserialization error: ...', 200),
      'SyntaxError: unreadable response (HTTP 200)',
      false,
    ],
    [
      new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:1'),
      'Error: connect ECONNREFUSED 127.0.0.1:1',
      false,
    ],
    [
      awsError(
        'TypeError',
        "Cannot read properties of null (reading 'clusters')\n  Deserialization error: ...",
        200,
      ),
      'TypeError: unreadable response (HTTP 200)',
      false,
    ],
    [
      callFailed('ListClusters', awsError('ServerException', 'internal')),
      'ListClusters: ServerException: internal',
      false,
    ],
    [
      callFailed('ListClusters', awsError('AccessDeniedException', 'not authorized')),
      'ListClusters: AccessDeniedException: not authorized',
      true,
    ],
    [
      degenerateReply('ListClusters', 'a "clusters" list'),
      'ListClusters: answered without a "clusters" list',
      false,
    ],
    ['a string', 'a string', false],
  ])('%s', (e, message, forbidden) => {
    expect(describeAwsError(e)).toEqual({ message, forbidden });
  });

  it('finds an access problem anywhere in the cause chain', () => {
    const e = new Error('Could not assume role', { cause: awsError('AccessDenied', 'denied') });
    expect(describeAwsError(e).forbidden).toBe(true);
  });

  it('keeps messages short and on one line', () => {
    const d = describeAwsError(awsError('ServerException', `${'x'.repeat(1000)}\nsecond line`));
    expect(d.message.length).toBeLessThanOrEqual(300);
    expect(d.message).not.toContain('\n');
  });
});

describe('isNotFound', () => {
  it('is true only for ResourceNotFoundException', () => {
    expect(isNotFound(awsError('ResourceNotFoundException', 'No cluster found for name: x.'))).toBe(
      true,
    );
    expect(isNotFound(awsError('NotFoundException', 'x'))).toBe(false);
  });
});
