import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Api, ApiContext } from './api';
import { App } from './App';
import { createTransport } from './transport';
import './styles.css';

const api = new Api(createTransport());
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApiContext.Provider value={api}>
      <App />
    </ApiContext.Provider>
  </StrictMode>,
);
