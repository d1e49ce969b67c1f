// Vite build of the console. What huizongd's strict CSP (default-src
// 'self') needs: no inline script (Vite emits module <script src>), no
// data: URLs (assetsInlineLimit 0), Vue's runtime-only build (templates
// compiled here, no eval at run time). `npm run dev` proxies the gRPC-Web
// paths to a huizongd on HUIZONG_ADDR (default 127.0.0.1:50051).
import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";

const upstream = `http://${process.env.HUIZONG_ADDR || "127.0.0.1:50051"}`;

export default defineConfig({
  plugins: [vue()],
  base: "/",
  build: {
    outDir: "dist",
    assetsDir: "assets",
    assetsInlineLimit: 0,
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
    cssCodeSplit: true,
  },
  server: {
    proxy: {
      "^/(huizong\\.v1|grpc\\.health\\.v1)\\.": { target: upstream, changeOrigin: false },
    },
  },
});
