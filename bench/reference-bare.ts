// The framework's ceiling: Express answering POST /token with a constant JSON body, with
// no body parsing, validation, CORS, logging or signing.
import express from 'express';
import { listenOnLoopback } from './listen';

const constantAnswer = {
  token: 'constant',
  room_name: 'bench-room',
  identity: 'bench@example.com',
  expires_at: '1970-01-01T00:00:00.000Z',
};

const app = express();
app.post('/token', (_req, res) => {
  res.json(constantAnswer);
});
listenOnLoopback(app);
