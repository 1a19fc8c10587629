/** Every socket of a signed-in user, in each authenticated namespace, on every node. */
export const userRoom = (userId: string): string => `user:${userId}`;

/** The sockets of one session (refresh-token family): closed when it ends. */
export const sessionRoom = (sessionId: string): string => `session:${sessionId}`;
