import{cd as i}from"./index-D19jyGo9.js";const n=o=>["",...i].includes(o);export{n as i};
