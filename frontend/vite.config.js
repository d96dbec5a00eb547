import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The Flask app (./run_dev.sh or `python -m backend`) listens here during `npm run dev`.
const backend = process.env.VPP_BACKEND || 'http://127.0.0.1:5000';

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
      '/api': { target: backend, changeOrigin: true },
      '/socket.io': { target: backend, changeOrigin: true, ws: true },
    },
  },
  build: {
    outDir: 'dist',
    chunkSizeWarningLimit: 2000,
  },
  test: {
    include: ['src/**/*.test.js'],
    environment: 'node',
  },
});
